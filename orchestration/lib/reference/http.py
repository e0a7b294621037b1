"""One small HTTP client for the reference sources: timeouts, bounded retries with backoff,
and one clear error when a source cannot be reached.

Why not let ``requests`` raise: an offline run should say *which* source and *which* URL failed
in one line (the asset log and the Dagster UI show it), not a 60-line urllib3 traceback. Only
transient failures are retried (connection errors, timeouts, HTTP 429 and 5xx); a 404 is an
answer (e.g. a year not yet published) and is raised at once as :class:`SourceHttpError`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

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


@dataclass(frozen=True, slots=True)
class HttpFetcher:
    """GET with a timeout and ``max_retries`` retries, sleeping ``backoff_s * 2**attempt``.

    Attributes:
        source: label used in error messages (``cftc``, ``farside``, ``fred``, ...).
        timeout_s: connect and read timeout per attempt.
        max_retries: retries after the first attempt (0 = one attempt only).
        backoff_s: base of the exponential backoff between attempts.
        user_agent: sent on every request (CFTC rejects requests without one).
        sleep: injectable for tests.
    """

    source: str
    timeout_s: float = 30.0
    max_retries: int = 3
    backoff_s: float = 1.0
    user_agent: str = DEFAULT_USER_AGENT
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def get(self, url: str) -> bytes:
        attempts = 0
        last_reason = "no attempt made"
        for attempt in range(self.max_retries + 1):
            attempts = attempt + 1
            try:
                response = requests.get(
                    url, timeout=self.timeout_s, headers={"User-Agent": self.user_agent}
                )
            except requests.Timeout:
                last_reason = f"timed out after {self.timeout_s:g} s"
            except requests.ConnectionError as exc:
                last_reason = _connection_reason(exc)
            except requests.RequestException as exc:  # invalid URL and the like: no retry
                reason = type(exc).__name__
                raise SourceUnavailableError(self.source, url, reason, attempts) from None
            else:
                if response.status_code == 200:
                    return response.content
                if response.status_code not in RETRY_STATUS:
                    raise SourceHttpError(self.source, url, response.status_code, attempts)
                last_reason = f"HTTP {response.status_code}"
            if attempt < self.max_retries:
                self.sleep(self.backoff_s * 2**attempt)
        raise SourceUnavailableError(self.source, url, last_reason, attempts)


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
