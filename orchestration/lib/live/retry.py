"""Bounded retries with exponential backoff, jitter and ``Retry-After``.

ccxt's own throttle spaces calls by ``rateLimit`` x endpoint cost but neither retries nor reads
``Retry-After`` (STACK.md). Venues punish hammering: Binance answers repeated 429s with a 418
IP ban, Bybit signals its limit as HTTP 200 with ``retCode`` 10006. So every venue call goes
through :func:`call_with_retry`:

* transient failures (``ccxt.OperationFailed``: network errors, timeouts, 5xx, 429/418, and
  malformed bodies) are retried at most ``max_retries`` times;
* the wait is ``base_delay * 2**attempt`` with +-``jitter`` and capped at ``max_delay``;
* a rate-limit reply waits what the venue asked (``Retry-After`` seconds or HTTP date, Bybit's
  ``X-Bapi-Limit-Reset-Timestamp``), never less than the backoff, and gives up at once when
  the venue asks for more than ``max_retry_after`` (waiting less would only earn a ban);
* everything else (bad symbol, bad request, not supported) is raised immediately.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import ccxt

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try one venue call.

    Attributes:
        max_retries: retries after the first attempt (0 = try once).
        base_delay_s: backoff of the first retry.
        max_delay_s: cap of one backoff wait.
        jitter: relative jitter, 0.5 = wait x uniform(0.5, 1.5).
        rate_limit_floor_s: minimum wait after a rate-limit reply without ``Retry-After``.
        max_retry_after_s: longest ``Retry-After`` honoured; longer ones fail the call.
    """

    max_retries: int = 3
    base_delay_s: float = 0.5
    max_delay_s: float = 8.0
    jitter: float = 0.5
    rate_limit_floor_s: float = 1.0
    max_retry_after_s: float = 60.0

    def backoff(self, attempt: int, rng: random.Random) -> float:
        delay = min(self.max_delay_s, self.base_delay_s * (2**attempt))
        return delay * rng.uniform(1 - self.jitter, 1 + self.jitter)


@dataclass(slots=True)
class RetryStats:
    """What retrying cost, accumulated over calls (kept per venue and day)."""

    attempts: int = 0
    retries: int = 0
    waits_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def waited_s(self) -> float:
        return sum(self.waits_s)


class RetryAfterTooLong(ccxt.RateLimitExceeded):
    """The venue asked us to wait longer than the policy allows."""


def retry_after_seconds(
    headers: Mapping[str, str] | None, now: float | None = None
) -> float | None:
    """Seconds the venue asked us to wait, from ``Retry-After`` or Bybit's reset header."""
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


def _is_rate_limit(error: BaseException) -> bool:
    return isinstance(error, ccxt.RateLimitExceeded | ccxt.DDoSProtection)


def call_with_retry(
    fn: Callable[[], T],
    *,
    policy: RetryPolicy,
    exchange: Any = None,
    stats: RetryStats | None = None,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
    describe: str = "",
) -> T:
    """Run ``fn`` with the policy; the last error is raised when retries are exhausted."""
    rng = rng or random.Random()
    stats = stats if stats is not None else RetryStats()
    attempt = 0
    while True:
        stats.attempts += 1
        try:
            return fn()
        except ccxt.OperationFailed as error:
            stats.errors.append(f"{type(error).__name__}: {str(error)[:200]}")
            if attempt >= policy.max_retries:
                raise
            wait = policy.backoff(attempt, rng)
            if _is_rate_limit(error):
                headers = getattr(exchange, "last_response_headers", None)
                asked = retry_after_seconds(headers)
                if asked is not None and asked > policy.max_retry_after_s:
                    raise RetryAfterTooLong(
                        f"{describe or 'call'}: venue asked to wait {asked:.0f} s "
                        f"(Retry-After), more than the {policy.max_retry_after_s:.0f} s allowed"
                    ) from error
                wait = max(wait, asked if asked is not None else policy.rate_limit_floor_s)
            stats.retries += 1
            stats.waits_s.append(wait)
            sleep(wait)
            attempt += 1
