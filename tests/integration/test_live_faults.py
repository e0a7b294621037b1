"""Faults and bad input from the venues, through ccxt's real parsing: each gets a defined
outcome (retried, normalised, or passed on to the quarantine and counted), nothing is lost
silently, and one venue's trouble does not stop the others."""

from __future__ import annotations

import math
import time
from datetime import UTC, date, datetime

import pytest
import stamina
import stamina.instrumentation

from orchestration.lib import landing
from orchestration.lib.live import LiveFetcher, RetryPolicy, venue_configs
from orchestration.lib.raw_schemas import FUNDING_RATES
from tests.support.venue_emulator import HOUR, SyntheticMarket
from tests.support.venue_loopback import Fault, LoopbackServer, map_records

DAY = date(2026, 11, 16)
NEXT = date(2026, 11, 17)
DAY_MS = int(datetime(2026, 11, 16, tzinfo=UTC).timestamp() * 1000)
CLOCK = DAY_MS + 13 * HOUR


@pytest.fixture
def sleeps():
    """The waits stamina made between attempts (its public on-retry hook)."""
    waits: list[float] = []
    previous = stamina.instrumentation.get_on_retry_hooks()
    stamina.instrumentation.set_on_retry_hooks([lambda details: waits.append(details.wait_for)])
    # the planned waits are the point here: leave the suite's zero-wait test mode (conftest)
    with stamina.set_testing(False):
        yield waits
    stamina.instrumentation.set_on_retry_hooks(previous)


def _fetch(
    server: LoopbackServer,
    venues: list[str],
    datasets: list[str],
    *,
    retries: int = 2,
    timeout_ms: int = 2000,
    refetches: int = 1,
):
    fetcher = LiveFetcher(
        venue_configs(venues, timeout_ms=timeout_ms),
        api_urls=server.urls(),
        policy=RetryPolicy(
            max_retries=retries,
            base_delay_s=0.01,
            max_delay_s=0.05,
            rate_limit_floor_s=0.01,
            max_retry_after_s=5.0,
        ),
        incomplete_refetches=refetches,
        enable_rate_limit=False,
    )
    return fetcher.fetch(DAY, NEXT, datasets)


def _outcome(result, venue: str, dataset: str = "funding_rates"):
    return next(o for o in result.outcomes if o.venue == venue and o.dataset == dataset)


def _funding(result, venue: str) -> list[dict]:
    return [r for r in result.tables[DAY]["funding_rates"].to_pylist() if r["venue"] == venue]


def test_429_with_retry_after_is_waited_out_and_bounded(sleeps) -> None:
    with LoopbackServer(["binance"], clock_ms=CLOCK) as server:
        server.add_fault(
            Fault(
                "binance",
                "/fapi/v1/fundingRate",
                status=429,
                times=1,
                body={"code": -1003, "msg": "Too many requests"},
                headers={"Retry-After": "2"},
            )
        )
        result = _fetch(server, ["binance"], ["funding_rates"])
    outcome = _outcome(result, "binance")
    assert outcome.status == "ok" and outcome.retries == 1
    assert len(sleeps) == 1 and 2.0 <= sleeps[0] <= 5.0  # honoured, within the cap
    assert len(_funding(result, "binance")) == 6


def test_retry_after_longer_than_allowed_fails_the_venue_not_the_run() -> None:
    with LoopbackServer(["binance", "okx"], clock_ms=CLOCK) as server:
        server.add_fault(
            Fault(
                "binance",
                "/fapi/v1/fundingRate",
                status=418,
                times=None,
                body={"code": -1003, "msg": "IP banned"},
                headers={"Retry-After": "600"},
            )
        )
        result = _fetch(server, ["binance", "okx"], ["funding_rates"])
    binance = _outcome(result, "binance")
    assert binance.status == "failed" and "Retry-After" in binance.message
    assert _outcome(result, "okx").status == "ok"


def test_bybit_http_200_rate_limit_code_10006_is_retried(sleeps) -> None:
    with LoopbackServer(["bybit"], clock_ms=CLOCK) as server:
        reset = str(int(time.time() * 1000) + 1500)
        server.add_fault(
            Fault(
                "bybit",
                "/v5/market/funding/history",
                status=200,
                times=1,
                body={
                    "retCode": 10006,
                    "retMsg": "Too many visits!",
                    "result": {},
                    "retExtInfo": {},
                    "time": CLOCK,
                },
                headers={"X-Bapi-Limit-Reset-Timestamp": reset},
            )
        )
        result = _fetch(server, ["bybit"], ["funding_rates"])
    assert _outcome(result, "bybit").status == "ok"
    assert len(sleeps) == 1 and 1.0 <= sleeps[0] <= 5.0


def test_5xx_then_success() -> None:
    with LoopbackServer(["okx"], clock_ms=CLOCK) as server:
        server.add_fault(Fault("okx", "funding-rate-history", status=503, times=2))
        result = _fetch(server, ["okx"], ["funding_rates"])
        assert server.count("okx", "funding-rate-history") == 4  # 2 symbols + 2 retries
    outcome = _outcome(result, "okx")
    assert outcome.status == "ok" and outcome.retries == 2


def test_timeout_is_retried() -> None:
    with LoopbackServer(["hyperliquid"], clock_ms=CLOCK) as server:
        server.add_fault(
            Fault(
                "hyperliquid",
                "/info",
                kind="delay",
                delay_s=1.0,
                times=1,
                match=lambda p: p.get("type") == "fundingHistory",
            )
        )
        started = time.monotonic()
        result = _fetch(server, ["hyperliquid"], ["funding_rates"], timeout_ms=300)
        elapsed = time.monotonic() - started
    outcome = _outcome(result, "hyperliquid")
    assert outcome.status == "ok" and outcome.retries == 1
    assert elapsed < 5


@pytest.mark.parametrize("kind", ["truncate", "empty_body"])
def test_truncated_or_empty_body_is_detected_and_retried(kind: str) -> None:
    with LoopbackServer(["deribit"], clock_ms=CLOCK) as server:
        server.add_fault(Fault("deribit", "get_funding_rate_history", kind=kind, times=1))
        result = _fetch(server, ["deribit"], ["funding_rates"])
    outcome = _outcome(result, "deribit")
    assert outcome.status == "ok" and outcome.retries == 1


def test_persistent_truncation_is_a_failure_with_the_reason() -> None:
    with LoopbackServer(["deribit"], clock_ms=CLOCK) as server:
        server.add_fault(Fault("deribit", "get_funding_rate_history", kind="truncate", times=None))
        result = _fetch(server, ["deribit"], ["funding_rates"], retries=1)
    outcome = _outcome(result, "deribit")
    assert outcome.status == "failed"
    assert "malformed JSON" in outcome.message


def test_empty_page_is_refetched_then_recorded_as_a_gap() -> None:
    empty = map_records(lambda records: [])
    with LoopbackServer(["bybit"], clock_ms=CLOCK) as server:
        server.add_fault(
            Fault("bybit", "funding/history", kind="transform", transform=empty, times=2)
        )
        transient = _fetch(server, ["bybit"], ["funding_rates"])
    assert _outcome(transient, "bybit").status == "ok"
    assert _outcome(transient, "bybit").details.get("refetched") == 1

    with LoopbackServer(["bybit"], clock_ms=CLOCK) as server:
        server.add_fault(
            Fault("bybit", "funding/history", kind="transform", transform=empty, times=None)
        )
        permanent = _fetch(server, ["bybit"], ["funding_rates"])
    outcome = _outcome(permanent, "bybit")
    assert outcome.status == "failed" and outcome.found == 0 and outcome.expected == 6
    assert "empty page" in outcome.message


def test_a_truncated_page_of_rows_is_partial_not_ok() -> None:
    first_only = map_records(lambda records: records[-1:])  # binance: oldest first
    with LoopbackServer(["binance"], clock_ms=CLOCK) as server:
        server.add_fault(
            Fault(
                "binance",
                "fundingRate",
                kind="transform",
                transform=first_only,
                times=None,
                match=lambda p: p.get("symbol") == "ETHUSDT",
            )
        )
        result = _fetch(server, ["binance"], ["funding_rates"])
    outcome = _outcome(result, "binance")
    assert outcome.status == "partial" and outcome.found == 4 and outcome.expected == 6
    assert "ETH/USDT:USDT: no settlement in 00-08h, 08-16h" in outcome.message


def test_nan_and_negative_values_are_passed_on_to_the_quarantine(tmp_path) -> None:
    def spoil(records: list) -> list:  # the end-of-day point of ETH: negative USD value
        records[-1] = {**records[-1], "sumOpenInterestValue": "-5"}
        return records

    def spoil_rate(records: list) -> list:
        return [{**records[0], "fundingRate": "NaN"}, *records[1:]]

    with LoopbackServer(["binance"], clock_ms=CLOCK) as server:
        server.add_fault(
            Fault(
                "binance",
                "openInterestHist",
                kind="transform",
                transform=map_records(spoil),
                times=None,
                match=lambda p: p.get("symbol") == "ETHUSDT",
            )
        )
        server.add_fault(
            Fault(
                "binance",
                "fundingRate",
                kind="transform",
                transform=map_records(spoil_rate),
                times=None,
            )
        )
        result = _fetch(server, ["binance"], ["funding_rates", "open_interest"], refetches=0)
    funding = _outcome(result, "binance")
    assert funding.status == "partial" and funding.rejected == 2  # one NaN per symbol
    table = result.tables[DAY]["funding_rates"]
    assert table.num_rows == 6  # nothing dropped before the landing
    landed = landing.land_partition(FUNDING_RATES, DAY, table, data_root=tmp_path)
    assert landed.rows == 4 and landed.rejected_by_reason == {"non-finite rate": 2}
    oi = _outcome(result, "binance", "open_interest")
    assert oi.status == "partial" and oi.rejected == 1
    bad = [
        r
        for r in result.tables[DAY]["open_interest"].to_pylist()
        if r["oi_usd"] is not None and r["oi_usd"] < 0
    ]
    assert [r["symbol"] for r in bad] == ["ETH/USDT:USDT"]


def test_duplicates_and_disorder_are_normalised_and_counted() -> None:
    def mess(records: list) -> list:
        dup = dict(records[0])
        conflicting = {**records[1], "fundingRate": "0.00990000"}
        return list(reversed(records)) + [dup, conflicting]

    with LoopbackServer(["binance"], clock_ms=CLOCK) as server:
        server.add_fault(
            Fault(
                "binance",
                "fundingRate",
                kind="transform",
                transform=map_records(mess),
                times=None,
                match=lambda p: p.get("symbol") == "BTCUSDT",
            )
        )
        result = _fetch(server, ["binance"], ["funding_rates"])
    outcome = _outcome(result, "binance")
    assert outcome.details["duplicates_merged"] == 1
    assert outcome.details["conflicting_duplicates"] == 1
    rows = [r for r in _funding(result, "binance") if r["base_asset"] == "BTC"]
    assert len(rows) == 4  # three settlements + the conflicting version, for the quarantine
    assert [r["funding_ts"] for r in rows] == sorted(r["funding_ts"] for r in rows)
    assert outcome.rejected == 1 and outcome.status == "partial"


def test_rows_ccxt_cannot_parse_are_counted_and_quarantined() -> None:
    def drop_time(records: list) -> list:
        return [{k: v for k, v in records[0].items() if k != "time"}, *records[1:]]

    with LoopbackServer(["hyperliquid"], clock_ms=CLOCK) as server:
        server.add_fault(
            Fault(
                "hyperliquid",
                "/info",
                kind="transform",
                transform=map_records(drop_time),
                times=None,
                match=lambda p: p.get("type") == "fundingHistory" and p.get("coin") == "ETH",
            )
        )
        result = _fetch(server, ["hyperliquid"], ["funding_rates"], refetches=0)
    outcome = _outcome(result, "hyperliquid")
    assert outcome.details["parser_discarded"] == 1
    rows = _funding(result, "hyperliquid")
    placeholders = [r for r in rows if r["funding_ts"] is None]
    assert len(placeholders) == 1 and placeholders[0]["symbol"] == "ETH/USDC:USDC"
    assert outcome.rejected == 1 and outcome.status == "partial"


def test_interval_change_8h_4h_1h_mid_day_is_complete() -> None:
    def schedule(lo: int, hi: int) -> list[int]:
        stamps = []
        for day_start in range(lo - lo % (24 * HOUR), hi + 1, 24 * HOUR):
            hours = [0, 8, 12, 16, *range(17, 24)]  # 8 h, then 4 h, then hourly
            stamps += [day_start + h * HOUR for h in hours]
        return stamps

    market = SyntheticMarket()
    market.schedules[("binance", "ETH")] = schedule
    with LoopbackServer(["binance"], market=market, clock_ms=CLOCK) as server:
        result = _fetch(server, ["binance"], ["funding_rates"])
    outcome = _outcome(result, "binance")
    assert outcome.status == "ok", outcome.describe()
    eth = [r for r in _funding(result, "binance") if r["base_asset"] == "ETH"]
    assert [r["funding_ts"].hour for r in eth] == [0, 8, 12, 16, *range(17, 24)]
    assert all(r["interval_hours"] is None for r in eth)  # history has no interval: dbt infers


def test_a_truncated_market_list_is_reloaded_before_a_symbol_is_declared_gone() -> None:
    with LoopbackServer(["binance"], clock_ms=CLOCK) as server:
        server.emulators["binance"].markets_truncated_once = True
        result = _fetch(server, ["binance"], ["funding_rates"])
        assert server.count("binance", "/fapi/v1/exchangeInfo") == 2
    assert _outcome(result, "binance").status == "ok"


def test_a_delisted_symbol_fails_alone() -> None:
    with LoopbackServer(["okx"], clock_ms=CLOCK) as server:
        server.emulators["okx"].hidden_symbols.add("ETH-USDT-SWAP")
        result = _fetch(server, ["okx"], ["funding_rates"])
    outcome = _outcome(result, "okx")
    assert outcome.status == "partial"
    assert "ETH/USDT:USDT is not listed on okx (delisted or renamed?)" in outcome.message
    assert {r["base_asset"] for r in _funding(result, "okx")} == {"BTC"}


def test_one_venue_down_while_the_others_land() -> None:
    with LoopbackServer(clock_ms=CLOCK) as server:
        server.down.add("okx")
        result = _fetch(
            server,
            ["binance", "bybit", "okx", "deribit", "hyperliquid"],
            ["funding_rates"],
            retries=1,
        )
    assert set(result.unreachable) == {"okx"}
    assert "ExchangeNotAvailable" in result.unreachable["okx"]
    assert not result.all_failed
    assert _outcome(result, "okx").status == "failed"
    for venue in ("binance", "bybit", "deribit", "hyperliquid"):
        assert _outcome(result, venue).status == "ok"
        assert _funding(result, venue)


def test_nan_rate_is_a_float_not_a_dropped_row() -> None:
    """ccxt turns the string 'NaN' into float('nan'); the row survives to the landing."""
    with LoopbackServer(["okx"], clock_ms=CLOCK) as server:
        server.add_fault(
            Fault(
                "okx",
                "funding-rate-history",
                kind="transform",
                times=None,
                transform=map_records(lambda r: [{**r[0], "realizedRate": "NaN"}, *r[1:]]),
            )
        )
        result = _fetch(server, ["okx"], ["funding_rates"], refetches=0)
    rates = [r["rate"] for r in _funding(result, "okx")]
    assert len(rates) == 6 and sum(math.isnan(x) for x in rates) == 2


# Each venue's own 500: ccxt maps some of these to ExchangeError (Bybit 10016, Binance -1001),
# which a retry by class name would give up on.
VENUE_500S = {
    "binance": ("/fapi/v1/fundingRate", {"code": -1001, "msg": "Internal error; unable to "
                                         "process your request. Please try again."}, None),
    "bybit": ("/v5/market/funding/history", {"retCode": 10016, "retMsg": "Server error.",
                                             "result": {}, "retExtInfo": {}, "time": CLOCK},
              None),
    "okx": ("funding-rate-history", {"code": "50026", "msg": "System error. Try again later.",
                                     "data": []}, None),
    "deribit": ("get_funding_rate_history", {"jsonrpc": "2.0", "error": {
        "code": 13028, "message": "temporarily_unavailable"}}, None),
    "hyperliquid": ("/info", "<html><body><h1>500 Internal Server Error</h1></body></html>",
                    lambda params: params.get("type") == "fundingHistory"),
}


def test_a_500_is_retried_on_every_venue() -> None:
    venues = list(VENUE_500S)
    with LoopbackServer(venues, clock_ms=CLOCK) as server:
        for venue, (path, body, match) in VENUE_500S.items():
            server.add_fault(Fault(venue, path, status=500, body=body, times=1, match=match))
        result = _fetch(server, venues, ["funding_rates"], refetches=0)
        failed_500s = {v: server.count(v, where=lambda r: r.status == 500) for v in venues}
    for venue in venues:
        outcome = _outcome(result, venue)
        assert failed_500s[venue] == 1, venue
        assert outcome.status == "ok" and outcome.retries == 1, (venue, outcome.describe())


def test_an_incomplete_day_in_a_long_window_is_refetched_alone() -> None:
    """A hole on one day of a 10-day window is fetched again for that day only (a venue's
    history cap must not make a half-year window be read twice)."""
    first = date(2026, 11, 6)
    hole = datetime(2026, 11, 10, tzinfo=UTC)
    hole_ms = int(hole.timestamp() * 1000)
    drop = map_records(lambda recs: [r for r in recs
                                     if not hole_ms <= r["fundingTime"] < hole_ms + 24 * HOUR])
    with LoopbackServer(["binance"], clock_ms=CLOCK) as server:
        server.add_fault(Fault("binance", "/fapi/v1/fundingRate", kind="transform",
                               transform=drop, times=2))
        fetcher = LiveFetcher(venue_configs(["binance"], timeout_ms=2000),
                              api_urls=server.urls(), enable_rate_limit=False)
        result = fetcher.fetch(first, NEXT, ["funding_rates"])
        starts = sorted(int(r.params["startTime"]) for r in server.requests
                        if r.path == "/fapi/v1/fundingRate")
    assert starts == [int(datetime(2026, 11, 6, tzinfo=UTC).timestamp() * 1000)] * 2 + [
        hole_ms] * 2  # the window once per symbol, then the hole's day once per symbol
    outcomes = {o.day: o for o in result.outcomes}
    assert all(o.status == "ok" for o in outcomes.values())
    assert outcomes[hole.date()].details.get("refetched") == 1
    assert sum(t.num_rows for t in (result.tables[d]["funding_rates"]
                                    for d in result.tables)) == 11 * 3 * 2
