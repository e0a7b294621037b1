"""Every venue x dataset through ccxt's real request building and parsing, against the
loopback emulation of the venues' documented payloads (no network: 127.0.0.1 only)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from orchestration.landing.raw_schemas import EXCHANGE_DATASETS
from orchestration.sources.live import (
    AVAILABLE,
    CURRENT_ONLY,
    LiveFetcher,
    RetryPolicy,
    WindowResult,
    capabilities,
    venue_configs,
)
from tests.support.venue_emulator import HOUR
from tests.support.venue_loopback import LoopbackServer

DAY = date(2026, 11, 16)
NEXT = date(2026, 11, 17)
CLOCK = datetime(2026, 11, 16, 13, 30, tzinfo=UTC)
VENUES = ("binance", "bybit", "okx", "deribit", "hyperliquid")
DATASETS = tuple(d.name for d in EXCHANGE_DATASETS)


def _ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


@pytest.fixture(scope="module")
def served() -> tuple[WindowResult, LoopbackServer]:
    """One day of every dataset from every venue (clock inside the day: current values land)."""
    with LoopbackServer(clock_ms=_ms(CLOCK)) as server:
        fetcher = LiveFetcher(
            venue_configs(timeout_ms=3000),
            api_urls=server.urls(),
            policy=RetryPolicy(max_retries=1, base_delay_s=0.01),
            enable_rate_limit=False,
        )
        result = fetcher.fetch(DAY, NEXT, DATASETS)
        yield result, server


def _rows(result: WindowResult, dataset: str, venue: str) -> list[dict]:
    return [r for r in result.tables[DAY][dataset].to_pylist() if r["venue"] == venue]


def _outcome(result: WindowResult, dataset: str, venue: str):
    return next(o for o in result.outcomes if o.venue == venue and o.dataset == dataset)


@pytest.mark.parametrize("venue", VENUES)
@pytest.mark.parametrize("dataset", DATASETS)
def test_every_venue_and_dataset_has_a_defined_outcome(served, venue: str, dataset: str) -> None:
    result, _ = served
    capability = capabilities(venue_configs([venue]))[venue][dataset]
    outcome = _outcome(result, dataset, venue)
    rows = _rows(result, dataset, venue)
    if capability in (AVAILABLE, CURRENT_ONLY):
        assert outcome.status == "ok", outcome.describe()
        assert (
            rows
            and outcome.found == outcome.expected == len(rows)
            or dataset in ("funding_rates", "premium_index")
        )
        (config,) = venue_configs([venue])
        sources = {config.source} | ({f"ccxt:{config.spot_exchange_id}"}
                                     if dataset == "ohlcv_daily" and config.spot_exchange_id
                                     else set())
        assert {r["source"] for r in rows} == sources
        assert all(r["base_asset"] in ("ETH", "BTC") for r in rows)
    else:
        assert outcome.status == "not available"
        assert outcome.message == capability
        assert rows == []


@pytest.mark.parametrize(
    ("venue", "per_day", "interval"),
    [
        ("binance", 3, None),
        ("bybit", 3, 8.0),
        ("okx", 3, None),
        ("deribit", 3, 8.0),
        ("hyperliquid", 24, 1.0),
    ],
)
def test_funding_settlements_are_rounded_resampled_and_carry_the_interval(
    served, venue: str, per_day: int, interval: float | None
) -> None:
    result, server = served
    rows = _rows(result, "funding_rates", venue)
    assert len(rows) == 2 * per_day
    market = server.market
    for row in rows:
        ts = row["funding_ts"]
        assert ts.minute == ts.second == ts.microsecond == 0  # jitter (3 ms, 31 ms) rounded off
        assert ts.date() == DAY
        assert row["interval_hours"] == interval
        expected = market.funding_rate(venue, row["base_asset"], _ms(ts))
        if venue == "deribit":  # hourly rolling 8 h rate, sampled at the 8 h marks
            expected = round(expected * 8, 10)
        assert row["rate"] == pytest.approx(expected, abs=1e-12)


def test_premium_index_history_is_hourly_mark_and_index(served) -> None:
    result, server = served
    for venue in ("binance", "bybit", "okx"):
        rows = _rows(result, "premium_index", venue)
        assert len(rows) == 48
        eth = sorted((r for r in rows if r["base_asset"] == "ETH"), key=lambda r: r["ts"])
        assert [r["ts"].hour for r in eth] == list(range(24))
        first = eth[0]
        close = server.market.candle("ETH", _ms(first["ts"]), HOUR)[3]
        assert first["index_price"] == pytest.approx(close)
        assert first["mark_price"] != first["index_price"]


@pytest.mark.parametrize("venue", ["deribit", "hyperliquid"])
def test_current_only_values_land_when_taken_during_the_day(served, venue: str) -> None:
    result, server = served
    rows = _rows(result, "premium_index", venue)
    assert {r["ts"] for r in rows} == {CLOCK.replace(minute=0)}
    oi = _rows(result, "open_interest", venue)
    assert len(oi) == 2 and all(r["kind"] == "perp" for r in oi)
    if venue == "deribit":  # inverse: OI is quoted in USD, contracts of 10 / 1 USD
        btc = next(r for r in oi if r["base_asset"] == "BTC")
        assert btc["oi_usd"] == pytest.approx(btc["oi_contracts"] * 10)
    else:
        eth = next(r for r in oi if r["base_asset"] == "ETH")
        assert eth["oi_base"] == pytest.approx(
            server.market.oi_base("hyperliquid", "ETH", _ms(CLOCK))
        )


def test_current_only_values_are_not_available_for_a_past_day() -> None:
    later = datetime(2026, 11, 20, 9, tzinfo=UTC)
    with LoopbackServer(["deribit"], clock_ms=_ms(later)) as server:
        fetcher = LiveFetcher(
            venue_configs(["deribit"], timeout_ms=3000),
            api_urls=server.urls(),
            enable_rate_limit=False,
        )
        result = fetcher.fetch(DAY, NEXT, ["open_interest", "premium_index"])
    for outcome in result.outcomes:
        assert outcome.status == "not available"
        assert "current value" in outcome.message
    assert result.tables[DAY]["open_interest"].num_rows == 0


@pytest.mark.parametrize("venue", ["binance", "bybit", "okx"])
def test_open_interest_history_takes_the_end_of_day_snapshot(served, venue: str) -> None:
    result, server = served
    rows = _rows(result, "open_interest", venue)
    assert len(rows) == 2
    for row in rows:
        assert row["ts"] == datetime(2026, 11, 17, tzinfo=UTC)
        oi = server.market.oi_base(venue, row["base_asset"], _ms(row["ts"]))
        assert row["oi_base"] == pytest.approx(oi)
    if venue == "okx":  # contracts of 0.1 ETH / 0.01 BTC, USD value reported
        eth = next(r for r in rows if r["base_asset"] == "ETH")
        assert eth["oi_contracts"] == pytest.approx(eth["oi_base"] / 0.1)
        assert eth["oi_usd"] > 0
    if venue == "bybit":  # linear OI is reported in base coin only
        assert all(r["oi_usd"] is None for r in rows)


def test_daily_candles_cover_perps_and_spot_where_listed(served) -> None:
    result, _ = served
    for venue, markets in {
        "binance": {"perp", "spot"},
        "okx": {"perp", "spot"},
        "bybit": {"perp", "spot"},
        "deribit": {"perp"},
        "hyperliquid": {"perp"},
    }.items():
        rows = _rows(result, "ohlcv_daily", venue)
        assert {r["market_type"] for r in rows} == markets
        assert all(r["ts"] == datetime(2026, 11, 16, tzinfo=UTC) for r in rows)
        assert all(r["low"] <= r["close"] <= r["high"] and r["volume_base"] > 0 for r in rows)


def test_long_short_ratio_where_published(served) -> None:
    result, server = served
    for venue in ("binance", "bybit", "okx"):
        rows = _rows(result, "long_short_ratio", venue)
        assert len(rows) == 2
        for row in rows:
            ratio = server.market.ls_ratio(venue, row["base_asset"], _ms(row["ts"]))
            assert row["long_short_ratio"] == pytest.approx(ratio, abs=1e-3)
            assert row["long_account_share"] == pytest.approx(ratio / (1 + ratio), abs=1e-3)


def test_dated_futures_carry_expiry_and_index(served) -> None:
    result, server = served
    for venue, suffixes in {
        "binance": ("-261225", "-270326"),
        "okx": ("-261225", "-270326"),
        "deribit": ("-261225", "-270326"),
    }.items():
        rows = _rows(result, "dated_futures", venue)
        assert len(rows) == 4
        assert {r["symbol"][-7:] for r in rows} == set(suffixes)
        for row in rows:
            assert row["ts"] == datetime(2026, 11, 17, tzinfo=UTC)
            assert row["expiry_ts"].hour == 8
            assert row["future_price"] > row["index_price"] > 0
            spot = server.market.price(row["base_asset"], _ms(row["ts"]))
            assert row["index_price"] == pytest.approx(spot, rel=1e-3)


def test_a_venue_is_config_not_code() -> None:
    """A new ccxt venue gets a capability table from its ``has`` flags with no new code."""
    from dataclasses import replace

    bitget = replace(venue_configs(["bybit"])[0], venue="bitget", exchange_id="bitget")
    table = capabilities([bitget])["bitget"]
    assert table["funding_rates"] == AVAILABLE
    assert table["long_short_ratio"] == AVAILABLE
    assert bitget.source == "ccxt:bitget"


def test_a_40_day_window_pages_completely_on_every_venue() -> None:
    """Full pages (OKX 100, Bybit 200, Hyperliquid 500, ...) are followed in whichever order
    the venue pages: every day complete, no request wasted on splitting."""
    start, end = date(2026, 9, 1), date(2026, 10, 11)
    with LoopbackServer(clock_ms=_ms(CLOCK)) as server:
        fetcher = LiveFetcher(
            venue_configs(timeout_ms=3000), api_urls=server.urls(), enable_rate_limit=False
        )
        result = fetcher.fetch(start, end, ["funding_rates", "open_interest"])
        okx_oi_calls = server.count("okx", "open-interest-history")
        hl_funding_calls = server.count(
            "hyperliquid", "/info", lambda r: r.params.get("type") == "fundingHistory"
        )
    for outcome in result.outcomes:
        if outcome.dataset == "funding_rates" or outcome.venue in ("binance", "bybit", "okx"):
            assert outcome.status == "ok", outcome.describe()
        else:
            assert outcome.status == "not available"  # current-only OI, past days
    assert sum(t["funding_rates"].num_rows for t in result.tables.values()) == 40 * 2 * (3 * 4 + 24)
    assert okx_oi_calls == 2 * 10  # 960 hourly points per symbol in pages of 100
    assert hl_funding_calls == 2 * 2  # 960 hourly settlements per coin in pages of 500


# ---------------------------------------------------------------- values per market type

DAY_MS = _ms(datetime(2026, 11, 16, tzinfo=UTC))
ONE_DAY_MS = 24 * HOUR


def _bars(venue: str, path: str, params: dict, body) -> dict[int, tuple[float, float | None]]:
    """open time -> (close, base volume) of a served candle reply, read as the venue documents
    it (OKX: spot ``vol`` is base currency, derivatives ``volCcy``; Deribit: columns)."""
    if venue == "binance":
        return {int(r[0]): (float(r[4]), float(r[5])) for r in body}
    if venue == "bybit":
        return {int(r[0]): (float(r[4]), float(r[5])) for r in body["result"]["list"]}
    if venue == "okx":
        spot = params["instId"].count("-") == 1
        return {int(r[0]): (float(r[4]), float(r[5] if spot else r[6])) for r in body["data"]}
    if venue == "deribit":
        res = body["result"]
        return {int(t): (float(c), None) for t, c in zip(res["ticks"], res["close"], strict=True)}
    raise AssertionError(venue)


def _served_bar(server: LoopbackServer, venue: str, path: str, where: dict, open_ms: int
                ) -> tuple[float, float | None]:
    """The bar the loopback server really sent on ``path`` for the request whose params
    contain ``where`` (replayed through the same emulator, which is deterministic)."""
    for record in server.requests:
        if record.venue != venue or record.path != path or record.status != 200:
            continue
        if any(str(record.params.get(k)) != str(v) for k, v in where.items()):
            continue
        _, body, _ = server.emulators[venue].handle(record.method, path, dict(record.params))
        bars = _bars(venue, path, record.params, body)
        if open_ms in bars:
            return bars[open_ms]
    raise AssertionError(f"{venue}: no {path} {where} reply served a bar at {open_ms}")


def _venue_id(symbol: str, sep: str = "") -> str:
    """``BTC/USDT:USDT`` or ``BTC/USDT`` -> ``BTCUSDT`` (``BTC-USDT`` with ``sep='-'``)."""
    return symbol.split(":")[0].replace("/", sep)


CANDLE_ENDPOINTS = {
    # (venue, market type) -> (path, params identifying the market's request)
    ("binance", "perp"): ("/fapi/v1/klines", lambda s: {"symbol": _venue_id(s)}),
    ("binance", "spot"): ("/api/v3/klines", lambda s: {"symbol": _venue_id(s)}),
    ("bybit", "perp"): ("/v5/market/kline", lambda s: {"category": "linear",
                                                        "symbol": _venue_id(s)}),
    ("bybit", "spot"): ("/v5/market/kline", lambda s: {"category": "spot",
                                                        "symbol": _venue_id(s)}),
    ("okx", "perp"): ("/api/v5/market/candles", lambda s: {"instId": _venue_id(s, "-")
                                                            + "-SWAP"}),
    ("okx", "spot"): ("/api/v5/market/candles", lambda s: {"instId": _venue_id(s, "-")}),
}


@pytest.mark.parametrize(("venue", "market_type"), sorted(CANDLE_ENDPOINTS))
def test_candle_closes_and_volumes_come_from_the_market_types_own_api(
    served, venue: str, market_type: str
) -> None:
    """Spot candles from the spot API (Binance ``/api/v3/klines``, not the USD-M client's
    ``/fapi/v1/klines``), perps from the perp API: each close and base volume equals what that
    endpoint served for that day."""
    result, server = served
    path, where = CANDLE_ENDPOINTS[(venue, market_type)]
    rows = [r for r in _rows(result, "ohlcv_daily", venue) if r["market_type"] == market_type]
    assert {r["base_asset"] for r in rows} == {"BTC", "ETH"}
    for row in rows:
        close, volume = _served_bar(server, venue, path, where(row["symbol"]), DAY_MS)
        assert row["close"] == pytest.approx(close, rel=1e-12), row
        assert row["volume_base"] == pytest.approx(volume, rel=1e-12), row
    if venue == "binance" and market_type == "spot":
        assert all(r["source"] == "ccxt:binance" for r in rows)
        assert server.count("binance", "/api/v3/klines") == 2


def test_spot_and_perp_candles_differ_where_the_markets_do(served) -> None:
    """Guards against one market's candle being served as the other's (perp volume is about
    3.6 x spot in the emulated market, as in the real BTC 2023 data)."""
    result, _ = served
    for venue in ("binance", "bybit", "okx"):
        rows = _rows(result, "ohlcv_daily", venue)
        for base in ("BTC", "ETH"):
            perp, spot = (next(r for r in rows if r["base_asset"] == base
                               and r["market_type"] == m) for m in ("perp", "spot"))
            assert perp["volume_base"] / spot["volume_base"] == pytest.approx(1 / 0.28, rel=1e-3)
            assert perp["close"] != spot["close"]


FUTURE_ENDPOINTS = {
    "binance": ("/fapi/v1/klines", lambda s: {"symbol": s.split(":")[0].replace("/", "")
                                               + "_" + s.split("-")[-1]}),
    "okx": ("/api/v5/market/candles", lambda s: {"instId": s.split("/")[0] + "-USD-"
                                                  + s.split("-")[-1]}),
}


@pytest.mark.parametrize("venue", sorted(FUTURE_ENDPOINTS))
def test_dated_future_closes_come_from_the_contracts_own_candles(served, venue: str) -> None:
    result, server = served
    path, where = FUTURE_ENDPOINTS[venue]
    rows = _rows(result, "dated_futures", venue)
    assert rows
    for row in rows:
        close, _ = _served_bar(server, venue, path, where(row["symbol"]), DAY_MS)
        assert row["future_price"] == pytest.approx(close, rel=1e-12), row
