"""Retry by what the venue said: the table of venue codes and HTTP statuses, per venue, and
the bounded budget of one request on stamina (Retry-After honoured or refused when too long,
permanent errors raised at once)."""

from __future__ import annotations

import json
import random
from email.utils import formatdate

import ccxt
import pytest
import stamina.instrumentation

from orchestration.sources.live.retry import (
    PERMANENT,
    RATE_LIMIT,
    RETRY,
    RetryAfterTooLong,
    RetryPolicy,
    RetryStats,
    call_with_retry,
    classify,
    retry_after_seconds,
)

GATEWAY_PAGE = "<html><body><h1>502 Bad Gateway</h1><hr><center>cloudfront</center></body></html>"

# (venue, HTTP status, body, the ccxt class ccxt raises for it, expected verdict)
CASES = [
    ("binance", 500, {"code": -1001, "msg": "Internal error; unable to process your request."},
     ccxt.ExchangeError, RETRY),
    ("binance", 503, {"code": -1008, "msg": "Server is currently overloaded"},
     ccxt.ExchangeNotAvailable, RETRY),
    ("binance", 429, {"code": -1003, "msg": "Too many requests"}, ccxt.RateLimitExceeded,
     RATE_LIMIT),
    ("binance", 418, {"code": -1003, "msg": "Way too many requests; IP banned"},
     ccxt.DDoSProtection, RATE_LIMIT),
    ("binance", 400, {"code": -1121, "msg": "Invalid symbol."}, ccxt.BadSymbol, PERMANENT),
    ("binance", 403, "<html>403 Forbidden (WAF)</html>", ccxt.ExchangeNotAvailable, PERMANENT),
    ("binance", 502, GATEWAY_PAGE, ccxt.ExchangeNotAvailable, RETRY),
    ("bybit", 500, {"retCode": 10016, "retMsg": "Server error", "result": {}},
     ccxt.ExchangeError, RETRY),
    ("bybit", 200, {"retCode": 10016, "retMsg": "Service unavailable", "result": {}},
     ccxt.ExchangeError, RETRY),
    ("bybit", 200, {"retCode": 10006, "retMsg": "Too many visits!", "result": {}},
     ccxt.RateLimitExceeded, RATE_LIMIT),
    ("bybit", 200, {"retCode": 10001, "retMsg": "params error", "result": {}},
     ccxt.BadRequest, PERMANENT),
    ("okx", 200, {"code": "50026", "msg": "System error, please try again later.", "data": []},
     ccxt.ExchangeNotAvailable, RETRY),
    ("okx", 429, {"code": "50011", "msg": "Too Many Requests", "data": []},
     ccxt.RateLimitExceeded, RATE_LIMIT),
    ("okx", 503, {"code": "50001", "msg": "Service temporarily unavailable", "data": []},
     ccxt.ExchangeNotAvailable, RETRY),
    ("okx", 200, {"code": "51001", "msg": "Instrument ID does not exist", "data": []},
     ccxt.BadSymbol, PERMANENT),
    ("deribit", 429, {"jsonrpc": "2.0", "error": {"code": 10028, "message": "too_many_requests"}},
     ccxt.DDoSProtection, RATE_LIMIT),
    ("deribit", 200, {"jsonrpc": "2.0", "error": {"code": 13028,
                                                   "message": "temporarily_unavailable"}},
     ccxt.ExchangeNotAvailable, RETRY),
    ("deribit", 400, {"jsonrpc": "2.0", "error": {"code": -32602, "message": "Invalid params"}},
     ccxt.BadRequest, PERMANENT),
    ("hyperliquid", 500, "Internal Server Error", ccxt.ExchangeNotAvailable, RETRY),
    ("hyperliquid", 429, "", ccxt.RateLimitExceeded, RATE_LIMIT),
    ("hyperliquid", 422, "Failed to deserialize the JSON body", ccxt.BadRequest, PERMANENT),
]


@pytest.mark.parametrize(("venue", "status", "body", "error", "expected"), CASES)
def test_the_venue_code_and_status_decide_not_the_ccxt_class(venue, status, body, error,
                                                              expected) -> None:
    text = body if isinstance(body, str) else json.dumps(body)
    assert classify(venue, error("x"), status, text).action == expected


def test_no_reply_is_retried_a_client_side_error_is_not() -> None:
    assert classify("okx", ccxt.RequestTimeout("timed out")).action == RETRY
    assert classify("okx", ccxt.NetworkError("Name or service not known")).action == RETRY
    assert classify("okx", ccxt.BadResponse("malformed JSON"), 200, "{").action == RETRY
    assert classify("okx", ccxt.BadSymbol("okx does not have market FOO/USDT")).action == PERMANENT
    assert classify("okx", ccxt.NotSupported("no")).action == PERMANENT


class _Exchange:
    """The reply fields the guarded ccxt client keeps (status, body, headers)."""

    def __init__(self, status: int | None = None, body: object = None,
                 headers: dict[str, str] | None = None) -> None:
        self.reply = (status, body if isinstance(body, str) or body is None
                      else json.dumps(body), headers)
        self.pf_last_status = self.pf_last_body = self.pf_last_headers = None

    def raiser(self, errors: list[BaseException], value: str = "ok"):
        calls = {"n": 0}

        def fn() -> str:
            calls["n"] += 1
            if errors:
                self.pf_last_status, self.pf_last_body, self.pf_last_headers = self.reply
                raise errors.pop(0)
            return value

        return fn, calls


@pytest.fixture
def waits():
    recorded: list[float] = []
    previous = stamina.instrumentation.get_on_retry_hooks()
    stamina.instrumentation.set_on_retry_hooks([lambda d: recorded.append(d.wait_for)])
    # the planned waits are the point here: leave the suite's zero-wait test mode (conftest)
    with stamina.set_testing(False):
        yield recorded
    stamina.instrumentation.set_on_retry_hooks(previous)


FAST = RetryPolicy(base_delay_s=0.001, max_delay_s=0.004, rate_limit_floor_s=0.001)


def test_backoff_is_exponential_jittered_and_capped() -> None:
    policy = RetryPolicy(base_delay_s=1.0, max_delay_s=4.0, jitter=0.5)
    rng = random.Random(1)
    delays = [policy.backoff(a, rng) for a in range(6)]
    assert 0.5 <= delays[0] <= 1.5 and 1.0 <= delays[1] <= 3.0
    assert all(w <= 6.0 for w in delays[2:])  # 4 s cap x 1.5 jitter


def test_a_bybit_500_is_retried_although_ccxt_calls_it_an_exchange_error(waits) -> None:
    exchange = _Exchange(500, {"retCode": 10016, "retMsg": "Server error", "result": {}})
    fn, calls = exchange.raiser([ccxt.ExchangeError("bybit {retCode:10016}")])
    stats = RetryStats()
    assert call_with_retry(fn, policy=FAST, venue="bybit", exchange=exchange,
                           stats=stats) == "ok"
    assert calls["n"] == 2 and stats.retries == 1 and len(waits) == 1
    assert "bybit code 10016" in stats.errors[0]


def test_the_budget_is_one_plus_max_retries_attempts() -> None:
    exchange = _Exchange(503, GATEWAY_PAGE)
    fn, calls = exchange.raiser([ccxt.ExchangeNotAvailable("503")] * 10)
    with pytest.raises(ccxt.ExchangeNotAvailable):
        call_with_retry(fn, policy=RetryPolicy(max_retries=3, base_delay_s=0.001),
                        venue="okx", exchange=exchange)
    assert calls["n"] == 4


def test_the_budget_bounds_the_total_wait_too() -> None:
    exchange = _Exchange(503, GATEWAY_PAGE)
    fn, calls = exchange.raiser([ccxt.ExchangeNotAvailable("503")] * 10)
    policy = RetryPolicy(max_retries=9, base_delay_s=0.02, jitter=0.0, max_total_s=0.05)
    with pytest.raises(ccxt.ExchangeNotAvailable):
        call_with_retry(fn, policy=policy, venue="okx", exchange=exchange)
    assert calls["n"] == 2  # 0.02 s waited; the next 0.04 s would pass 0.05 s


def test_permanent_errors_are_not_retried() -> None:
    exchange = _Exchange(400, {"code": -1121, "msg": "Invalid symbol."})
    fn, calls = exchange.raiser([ccxt.BadSymbol("gone")])
    with pytest.raises(ccxt.BadSymbol):
        call_with_retry(fn, policy=FAST, venue="binance", exchange=exchange)
    assert calls["n"] == 1


def test_retry_after_is_honoured_on_rate_limits(waits) -> None:
    exchange = _Exchange(418, {"code": -1003, "msg": "banned"}, {"Retry-After": "1"})
    fn, _ = exchange.raiser([ccxt.DDoSProtection("418")])
    call_with_retry(fn, policy=FAST, venue="binance", exchange=exchange)
    assert waits == [pytest.approx(1.0, abs=0.01)]


def test_rate_limit_without_retry_after_waits_at_least_the_floor(waits) -> None:
    exchange = _Exchange(429, {"code": "50011", "msg": "Too Many Requests"})
    fn, _ = exchange.raiser([ccxt.RateLimitExceeded("429")])
    policy = RetryPolicy(base_delay_s=0.001, rate_limit_floor_s=0.2)
    call_with_retry(fn, policy=policy, venue="okx", exchange=exchange)
    assert waits[0] >= 0.2


def test_retry_after_beyond_the_cap_gives_up_instead_of_earning_a_ban() -> None:
    exchange = _Exchange(429, {"code": -1003}, {"retry-after": "120"})
    fn, calls = exchange.raiser([ccxt.RateLimitExceeded("429")])
    with pytest.raises(RetryAfterTooLong, match="asked to wait 120 s"):
        call_with_retry(fn, policy=RetryPolicy(max_retry_after_s=60), venue="binance",
                        exchange=exchange)
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
