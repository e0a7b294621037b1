"""The shared retry policy: one attempt budget per call, the caller's verdict, Retry-After
honoured (never less than the backoff) or refused when too long, retries reported."""

from __future__ import annotations

import asyncio
import random
from email.utils import formatdate

import pytest
import stamina

from orchestration.lib.retry_policy import (
    AttemptBudget,
    RetryAfterTooLong,
    RetryEvent,
    acall_with_retry,
    call_with_retry,
    retry_after_seconds,
)


@pytest.fixture(autouse=True)
def _no_waits():
    with stamina.set_testing(True, attempts=100, cap=True):
        yield


class Transient(Exception):
    pass


class Permanent(Exception):
    pass


class Throttled(Exception):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"429, retry after {retry_after}")
        self.retry_after = retry_after


def classify(error: Exception) -> bool | float:
    if isinstance(error, Throttled):
        return error.retry_after
    return isinstance(error, Transient)


def failing(errors: list[Exception], value: str = "ok"):
    calls = {"n": 0}

    def fn() -> str:
        calls["n"] += 1
        if errors:
            raise errors.pop(0)
        return value

    return fn, calls


def test_transient_errors_are_retried_and_reported() -> None:
    events: list[RetryEvent] = []
    fn, calls = failing([Transient("a"), Transient("b")])
    got = call_with_retry(
        fn, budget=AttemptBudget(attempts=3), classify=classify, name="x", on_retry=events.append
    )
    assert got == "ok" and calls["n"] == 3
    assert [e.attempt for e in events] == [1, 2] and all(e.retry_after_s is None for e in events)


def test_the_budget_counts_every_request_including_the_first() -> None:
    fn, calls = failing([Transient("down")] * 10)
    with pytest.raises(Transient):
        call_with_retry(fn, budget=AttemptBudget(attempts=4), classify=classify)
    assert calls["n"] == 4
    fn, calls = failing([Transient("down")] * 10)
    with pytest.raises(Transient):
        call_with_retry(fn, budget=AttemptBudget.from_retries(0), classify=classify)
    assert calls["n"] == 1


def test_permanent_errors_are_raised_at_once() -> None:
    fn, calls = failing([Permanent("404")])
    with pytest.raises(Permanent):
        call_with_retry(fn, budget=AttemptBudget(attempts=5), classify=classify)
    assert calls["n"] == 1


def test_retry_after_is_honoured_and_never_shorter_than_the_backoff() -> None:
    events: list[RetryEvent] = []
    fn, _ = failing([Throttled(7.0), Throttled(0.0)])
    budget = AttemptBudget(attempts=3, wait_initial_s=2.0, jitter=0.0)
    call_with_retry(fn, budget=budget, classify=classify, on_retry=events.append)
    assert [(e.wait_s, e.retry_after_s) for e in events] == [(7.0, 7.0), (4.0, 0.0)]


def test_a_retry_after_beyond_the_cap_fails_the_call_without_waiting() -> None:
    events: list[RetryEvent] = []
    fn, calls = failing([Throttled(600.0)])
    with pytest.raises(RetryAfterTooLong, match="600 s") as raised:
        call_with_retry(
            fn,
            budget=AttemptBudget(max_retry_after_s=60.0),
            classify=classify,
            name="binance funding",
            on_retry=events.append,
        )
    assert calls["n"] == 1 and not events
    assert isinstance(raised.value.__cause__, Throttled)


def test_backoff_is_exponential_jittered_and_capped() -> None:
    budget = AttemptBudget(wait_initial_s=1.0, wait_max_s=4.0, jitter=0.5)
    rng = random.Random(1)
    waits = [budget.backoff(n, rng) for n in range(6)]
    assert 0.5 <= waits[0] <= 1.5 and 1.0 <= waits[1] <= 3.0
    assert all(w <= 6.0 for w in waits[2:])
    assert AttemptBudget(jitter=0.0, wait_initial_s=1.0, wait_max_s=4.0).backoff(5, rng) == 4.0


def test_the_wall_clock_budget_stops_retries() -> None:
    fn, calls = failing([Throttled(5.0)] * 3)
    with pytest.raises(Throttled):
        call_with_retry(fn, budget=AttemptBudget(timeout_s=1.0), classify=classify)
    assert calls["n"] == 1


def test_zero_attempts_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        AttemptBudget(attempts=0)


def test_the_coroutine_variant_shares_the_budget() -> None:
    calls = {"n": 0}

    async def fn() -> str:
        calls["n"] += 1
        if calls["n"] < 3:
            raise Transient("t")
        return "ok"

    got = asyncio.run(acall_with_retry(fn, budget=AttemptBudget(attempts=3), classify=classify))
    assert got == "ok" and calls["n"] == 3


def test_retry_after_header_forms() -> None:
    assert retry_after_seconds({"Retry-After": "12"}) == 12.0
    now = 1_800_000_000.0
    assert retry_after_seconds({"retry-after": formatdate(now + 30, usegmt=True)}, now) == 30.0
    assert (
        retry_after_seconds({"X-Bapi-Limit-Reset-Timestamp": str(int((now + 2) * 1000))}, now)
        == 2.0
    )
    assert retry_after_seconds({"Retry-After": "soon"}) is None
    assert retry_after_seconds(None) is None and retry_after_seconds({}) is None


def test_outside_test_mode_stamina_sleeps_the_planned_wait() -> None:
    import time

    fn, calls = failing([Throttled(0.2)])
    with stamina.set_testing(False):
        began = time.monotonic()
        call_with_retry(fn, budget=AttemptBudget(wait_initial_s=0.01), classify=classify)
        assert time.monotonic() - began >= 0.2 and calls["n"] == 2


def test_max_wait_total_caps_the_planned_waits_even_in_zero_wait_test_mode() -> None:
    """The venues' per-request wait budget: summed planned waits, not wall-clock time (which
    stamina's test mode would never reach)."""
    calls = {"n": 0}

    def fail() -> None:
        calls["n"] += 1
        raise ConnectionError("down")

    budget = AttemptBudget(attempts=10, wait_initial_s=0.02, jitter=0.0, max_wait_total_s=0.05)
    with pytest.raises(ConnectionError):
        call_with_retry(fail, budget=budget, classify=lambda e: True)
    assert calls["n"] == 2  # waits 0.02 (planned); the next 0.04 would pass 0.05
