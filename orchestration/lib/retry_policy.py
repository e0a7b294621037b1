"""One retry policy for every outbound call: venues, reference HTTP and report delivery.

Built on ``stamina`` (the style guide's anchor: it does the loop, the sleeping, the retry
instrumentation and a test mode); this module only adds what every caller here needs on top:

* **One attempt budget per call** (:class:`AttemptBudget`): ``attempts`` counts the first try,
  so ``attempts=4`` means at most 4 requests for that call, never more. An optional
  ``timeout_s`` caps the call's wall-clock time including waits.
* **The caller decides what is transient** with a ``classify(error)`` function:
  ``False`` raises at once (a 404, bad credentials, a bad symbol), ``True`` retries after the
  exponential backoff with jitter, a number retries after *at least* that many seconds (the
  server's ``Retry-After``, see :func:`retry_after_seconds`) and never less than the backoff.
* **A ``Retry-After`` longer than ``max_retry_after_s`` fails the call** with
  :class:`RetryAfterTooLong` instead of waiting (a venue that asks for ten minutes would only
  ban a client that came back sooner; a report delivery should not stall a run).
* **Every planned retry is reported** through ``on_retry`` (a :class:`RetryEvent`), so callers
  can log it where users look (the Dagster run log) and count it.

The Dagster asset ``RetryPolicy`` sits above this: it re-runs a whole step after the step
failed (a crashed process, a locked file), so it must not re-run a step whose calls already
spent their budget; raise such failures as ``dagster.Failure(allow_retries=False)`` (as
``resources/reference_sources.py`` does) or the attempts multiply silently (3 step retries x
4 attempts = 16 requests per call).

Tests: ``stamina.set_testing(True, attempts=N, cap=True)`` turns every wait into 0 s while the
budget still applies; :class:`RetryEvent` still carries the wait that would have been slept.
"""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TypeVar

import stamina

T = TypeVar("T")

# What ``classify`` returns for one failure: False = give up now, True = retry after the
# backoff, a float = the server asked to wait this many seconds (Retry-After).
Verdict = bool | float


@dataclass(frozen=True, slots=True)
class AttemptBudget:
    """How hard one call may try.

    Attributes:
        attempts: requests per call, the first included (1 = no retry).
        wait_initial_s: backoff before the first retry; doubled for each further retry.
        wait_max_s: cap of one backoff wait (a ``Retry-After`` may ask for more, up to
            ``max_retry_after_s``).
        jitter: relative jitter of the backoff, 0.5 = x uniform(0.5, 1.5).
        max_retry_after_s: the longest server-requested wait honoured; longer fails the call.
        timeout_s: wall-clock cap of the whole call including waits (None = attempts only).
        max_wait_total_s: cap of the planned waits summed over the call's retries (None = no
            cap): unlike ``timeout_s`` it does not count the requests' own time and holds in
            stamina's zero-wait test mode too (the venues' ``max_request_wait_s``).
    """

    attempts: int = 4
    wait_initial_s: float = 0.5
    wait_max_s: float = 8.0
    jitter: float = 0.5
    max_retry_after_s: float = 60.0
    timeout_s: float | None = None
    max_wait_total_s: float | None = None

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"attempts must be at least 1, got {self.attempts}")

    def backoff(self, retry: int, rng: random.Random) -> float:
        """The wait before retry number ``retry`` (0-based), jittered and capped."""
        delay = min(self.wait_max_s, self.wait_initial_s * 2**retry)
        return delay * rng.uniform(1 - self.jitter, 1 + self.jitter)

    @classmethod
    def from_retries(cls, retries: int, **kwargs: float) -> AttemptBudget:
        """A budget from the "retries after the first attempt" settings the resources expose."""
        return cls(attempts=max(0, retries) + 1, **kwargs)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class RetryEvent:
    """One planned retry: attempt ``attempt`` (1-based) failed with ``error``; the next one
    starts after ``wait_s`` (``retry_after_s`` is what the server asked, if it did)."""

    name: str
    attempt: int
    wait_s: float
    error: Exception
    retry_after_s: float | None


class RetryAfterTooLong(RuntimeError):
    """The server asked to wait longer than the budget's ``max_retry_after_s``."""

    def __init__(self, name: str, asked_s: float, allowed_s: float) -> None:
        self.asked_s = asked_s
        self.allowed_s = allowed_s
        super().__init__(
            f"{name}: the server asked to wait {asked_s:.0f} s (Retry-After), "
            f"more than the {allowed_s:.0f} s allowed"
        )


def retry_after_seconds(
    headers: Mapping[str, str] | None, now: float | None = None
) -> float | None:
    """Seconds a server asked us to wait: ``Retry-After`` (seconds or an HTTP date) or
    Bybit's ``X-Bapi-Limit-Reset-Timestamp`` (ms); None when it did not say."""
    if not headers:
        return None
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    now = time.time() if now is None else now
    value = lowered.get("retry-after")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                return max(0.0, parsedate_to_datetime(value).timestamp() - now)
            except (TypeError, ValueError):
                return None
    reset = lowered.get("x-bapi-limit-reset-timestamp")
    if reset:
        try:
            return max(0.0, float(reset) / 1000.0 - now)
        except ValueError:
            return None
    return None


class _Decide:
    """stamina's backoff hook: applies the budget, the caller's verdict and Retry-After."""

    def __init__(
        self,
        name: str,
        budget: AttemptBudget,
        classify: Callable[[Exception], Verdict],
        on_retry: Callable[[RetryEvent], None] | None,
        rng: random.Random,
    ) -> None:
        self.name, self.budget, self.classify = name, budget, classify
        self.on_retry, self.rng = on_retry, rng
        self.failures = 0
        self.waited = 0.0
        self.started = time.monotonic()
        self.refused: tuple[Exception, float] | None = None

    def __call__(self, error: Exception) -> bool | float:
        self.failures += 1
        verdict = self.classify(error)
        if verdict is False or self.failures >= self.budget.attempts:
            return False
        wait = self.budget.backoff(self.failures - 1, self.rng)
        asked: float | None = None
        if verdict is not True:
            asked = float(verdict)
            if asked > self.budget.max_retry_after_s:
                self.refused = (error, asked)
                return False
            wait = max(wait, asked)
        timeout = self.budget.timeout_s
        if timeout is not None and time.monotonic() - self.started + wait > timeout:
            return False
        most = self.budget.max_wait_total_s
        if most is not None and self.waited + wait > most:
            return False
        self.waited += wait
        if self.on_retry is not None:
            self.on_retry(RetryEvent(self.name, self.failures, wait, error, asked))
        return wait

    def reraise(self, error: Exception) -> None:
        """Raise :class:`RetryAfterTooLong` when that is why ``error`` ended the call."""
        if self.refused is not None and self.refused[0] is error:
            raise RetryAfterTooLong(
                self.name, self.refused[1], self.budget.max_retry_after_s
            ) from error


def call_with_retry(
    fn: Callable[[], T],
    *,
    budget: AttemptBudget,
    classify: Callable[[Exception], Verdict],
    name: str = "call",
    on_retry: Callable[[RetryEvent], None] | None = None,
    rng: random.Random | None = None,
) -> T:
    """Run ``fn`` within ``budget``; the last error is raised when the budget is spent or
    ``classify`` says it is not transient."""
    decide = _Decide(name, budget, classify, on_retry, rng or random.Random())
    try:
        for attempt in stamina.retry_context(on=decide, attempts=budget.attempts, timeout=None):
            with attempt:
                return fn()
    except Exception as error:
        decide.reraise(error)
        raise
    raise AssertionError("stamina ended without a result or an error")  # pragma: no cover


async def acall_with_retry(
    fn: Callable[[], Awaitable[T]],
    *,
    budget: AttemptBudget,
    classify: Callable[[Exception], Verdict],
    name: str = "call",
    on_retry: Callable[[RetryEvent], None] | None = None,
    rng: random.Random | None = None,
) -> T:
    """:func:`call_with_retry` for coroutines (ccxt.pro, async HTTP clients)."""
    decide = _Decide(name, budget, classify, on_retry, rng or random.Random())
    try:
        async for attempt in stamina.retry_context(
            on=decide, attempts=budget.attempts, timeout=None
        ):
            with attempt:
                return await fn()
    except Exception as error:
        decide.reraise(error)
        raise
    raise AssertionError("stamina ended without a result or an error")  # pragma: no cover
