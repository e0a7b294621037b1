"""Retry policy: bounded, exponential with jitter, Retry-After honoured (or refused when too
long), non-transient errors raised at once."""

from __future__ import annotations

import random
from email.utils import formatdate

import ccxt
import pytest

from orchestration.lib.live.retry import (
    RetryAfterTooLong,
    RetryPolicy,
    RetryStats,
    call_with_retry,
    retry_after_seconds,
)


class _Exchange:
    def __init__(self, headers: dict[str, str] | None = None) -> None:
        self.last_response_headers = headers or {}


def _failing(errors: list[BaseException], value: str = "ok"):
    calls = {"n": 0}

    def fn() -> str:
        calls["n"] += 1
        if errors:
            raise errors.pop(0)
        return value

    return fn, calls


def test_backoff_is_exponential_jittered_and_capped() -> None:
    policy = RetryPolicy(base_delay_s=1.0, max_delay_s=4.0, jitter=0.5)
    rng = random.Random(1)
    waits = [policy.backoff(a, rng) for a in range(6)]
    assert 0.5 <= waits[0] <= 1.5 and 1.0 <= waits[1] <= 3.0
    assert all(w <= 6.0 for w in waits[2:])  # 4 s cap x 1.5 jitter


def test_transient_errors_are_retried_within_the_bound() -> None:
    sleeps: list[float] = []
    fn, calls = _failing([ccxt.RequestTimeout("t"), ccxt.ExchangeNotAvailable("503")])
    stats = RetryStats()
    assert call_with_retry(fn, policy=RetryPolicy(max_retries=2), sleep=sleeps.append,
                           stats=stats) == "ok"
    assert calls["n"] == 3 and stats.retries == 2 and len(sleeps) == 2


def test_retries_are_bounded() -> None:
    fn, calls = _failing([ccxt.NetworkError("down")] * 10)
    with pytest.raises(ccxt.NetworkError):
        call_with_retry(fn, policy=RetryPolicy(max_retries=3), sleep=lambda s: None)
    assert calls["n"] == 4


def test_non_transient_errors_are_not_retried() -> None:
    fn, calls = _failing([ccxt.BadSymbol("gone")])
    with pytest.raises(ccxt.BadSymbol):
        call_with_retry(fn, policy=RetryPolicy(max_retries=3), sleep=lambda s: None)
    assert calls["n"] == 1


def test_retry_after_is_honoured_on_rate_limits() -> None:
    sleeps: list[float] = []
    fn, _ = _failing([ccxt.DDoSProtection("418")])
    call_with_retry(fn, policy=RetryPolicy(base_delay_s=0.01), exchange=_Exchange(
        {"Retry-After": "7"}), sleep=sleeps.append)
    assert sleeps == [pytest.approx(7.0, abs=0.02)]


def test_rate_limit_without_retry_after_waits_at_least_the_floor() -> None:
    sleeps: list[float] = []
    fn, _ = _failing([ccxt.RateLimitExceeded("429")])
    call_with_retry(fn, policy=RetryPolicy(base_delay_s=0.01, rate_limit_floor_s=1.5),
                    exchange=_Exchange(), sleep=sleeps.append)
    assert sleeps[0] >= 1.5


def test_retry_after_beyond_the_cap_gives_up_instead_of_earning_a_ban() -> None:
    fn, calls = _failing([ccxt.RateLimitExceeded("429")])
    with pytest.raises(RetryAfterTooLong, match="asked to wait 120 s"):
        call_with_retry(fn, policy=RetryPolicy(max_retry_after_s=60), sleep=lambda s: None,
                        exchange=_Exchange({"retry-after": "120"}))
    assert calls["n"] == 1


def test_retry_after_formats() -> None:
    now = 1_700_000_000.0
    assert retry_after_seconds({"Retry-After": "3"}, now) == 3.0
    assert retry_after_seconds({"Retry-After": formatdate(now + 10, usegmt=True)},
                               now) == pytest.approx(10, abs=1)
    assert retry_after_seconds({"X-Bapi-Limit-Reset-Timestamp": str(int((now + 2) * 1000))},
                               now) == pytest.approx(2)
    assert retry_after_seconds({}, now) is None
    assert retry_after_seconds({"Retry-After": "soon"}, now) is None
