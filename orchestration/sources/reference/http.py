"""One small HTTP client for the reference sources: timeouts, the shared retry policy, and
one clear error when a source cannot be reached.

Why not let ``requests`` raise: an offline run should say *which* source and *which* URL failed
in one line (the asset log and the Dagster UI show it), not a 60-line urllib3 traceback. Only
transient failures are retried (connection errors, timeouts, HTTP 429 and 5xx), within one
attempt budget per GET (``max_retries + 1`` requests, ``orchestration/lib/retry_policy.py``,
on ``stamina``), waiting what a ``Retry-After`` header asks; a 404 is an answer (e.g. a year
not yet published) and is raised at once as :class:`SourceHttpError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import requests

from orchestration.lib.retry_policy import (
    AttemptBudget,
    RetryAfterTooLong,
    RetryEvent,
    call_with_retry,
    retry_after_seconds,
)

DEFAULT_USER_AGENT = "perp-fragility/0.1 (research pipeline)"
# Farside sits behind a bot filter that rejects library user agents; a browser-like one is the
# documented workaround. It stays configurable on the resource.
BROWSER_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Safari/537.36"
)
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class SourceUnavailableError(RuntimeError):
    """A reference source could not be reached (network down, DNS, timeout, repeated 5xx).

    ``str(error)`` is the whole message: source, URL, cause and attempts.
    """

    def __init__(self, source: str, url: str, reason: str, attempts: int) -> None:
        self.source = source
        self.url = url
        self.reason = reason
        self.attempts = attempts
        super().__init__(
            f"{source} source unreachable at {url}: {reason} "
            f"(after {attempts} attempt{'s' if attempts != 1 else ''}). "
            "Check the network, or point the resource's URL setting at a reachable mirror."
        )


class SourceHttpError(SourceUnavailableError):
    """The source answered with a non-retryable HTTP status (e.g. 404 for a future year)."""

    def __init__(self, source: str, url: str, status: int, attempts: int) -> None:
        self.status = status
        super().__init__(source, url, f"HTTP {status}", attempts)


class _Transient(Exception):
    """One failed attempt worth retrying; ``retry_after_s`` is what the server asked."""

    def __init__(self, reason: str, retry_after_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after_s = retry_after_s


def _classify(error: Exception) -> bool | float:
    if not isinstance(error, _Transient):
        return False
    return True if error.retry_after_s is None else error.retry_after_s


@dataclass(frozen=True, slots=True)
class HttpFetcher:
    """GET with a timeout and at most ``max_retries + 1`` requests per URL.

    Attributes:
        source: label used in error messages (``cftc``, ``farside``, ``fred``, ...).
        timeout_s: connect and read timeout per attempt.
        max_retries: retries after the first attempt (0 = one attempt only).
        backoff_s: wait before the first retry, doubled for each further one (capped at 60 s,
            jittered by ``jitter``); a longer ``Retry-After`` wins.
        jitter: relative jitter of the backoff (0 = exact waits).
        max_retry_after_s: a ``Retry-After`` asking for more fails the GET at once.
        user_agent: sent on every request (CFTC rejects requests without one).
        on_retry: told about every planned retry (the resources log it to the run log).
    """

    source: str
    timeout_s: float = 30.0
    max_retries: int = 3
    backoff_s: float = 1.0
    jitter: float = 0.25
    max_retry_after_s: float = 120.0
    user_agent: str = DEFAULT_USER_AGENT
    on_retry: Callable[[RetryEvent], None] | None = field(default=None, repr=False)

    @property
    def budget(self) -> AttemptBudget:
        """The attempt budget of one GET."""
        return AttemptBudget(
            attempts=max(0, self.max_retries) + 1,
            wait_initial_s=self.backoff_s,
            wait_max_s=60.0,
            jitter=self.jitter,
            max_retry_after_s=self.max_retry_after_s,
        )

    def get(self, url: str) -> bytes:
        """The body of a 200 reply; :class:`SourceUnavailableError` once the budget is spent
        (or :class:`SourceHttpError` at once for a non-retryable status)."""
        attempts = 0

        def once() -> bytes:
            nonlocal attempts
            attempts += 1
            try:
                response = requests.get(
                    url, timeout=self.timeout_s, headers={"User-Agent": self.user_agent}
                )
            except requests.Timeout:
                raise _Transient(f"timed out after {self.timeout_s:g} s") from None
            except requests.ConnectionError as exc:
                raise _Transient(_connection_reason(exc)) from None
            except requests.RequestException as exc:  # invalid URL and the like: no retry
                reason = type(exc).__name__
                raise SourceUnavailableError(self.source, url, reason, attempts) from None
            if response.status_code == 200:
                return response.content
            if response.status_code not in RETRY_STATUS:
                raise SourceHttpError(self.source, url, response.status_code, attempts)
            asked = retry_after_seconds(response.headers)
            raise _Transient(f"HTTP {response.status_code}", asked)

        try:
            return call_with_retry(
                once,
                budget=self.budget,
                classify=_classify,
                name=f"{self.source} GET {url}",
                on_retry=self.on_retry,
            )
        except _Transient as exc:
            raise SourceUnavailableError(self.source, url, exc.reason, attempts) from None
        except RetryAfterTooLong as exc:
            cause = exc.__cause__
            reason = cause.reason if isinstance(cause, _Transient) else "rate limited"
            reason += f", Retry-After {exc.asked_s:.0f} s is over the {exc.allowed_s:.0f} s allowed"
            raise SourceUnavailableError(self.source, url, reason, attempts) from None


def _connection_reason(exc: requests.ConnectionError) -> str:
    text = str(exc)
    for needle, reason in (
        ("Connection refused", "connection refused"),
        ("Name or service not known", "host name not resolvable"),
        ("Temporary failure in name resolution", "host name not resolvable"),
        ("Failed to resolve", "host name not resolvable"),
        ("Network is unreachable", "network unreachable"),
        ("timed out", "connection timed out"),
    ):
        if needle in text:
            return reason
    return "connection failed"
