"""The emulated payloads match the venues' documented formats, and the documented examples
themselves (``../shared/data/ccxt-doc-samples``, read in place, never copied) go through ccxt's
parsers and ours with the expected result - including their traps (a foreign symbol, a
duplicated record, an off-grid Deribit hour)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from orchestration.sources.live import LiveFetcher, venue_configs
from tests.support.venue_emulator import EMULATORS, SyntheticMarket
from tests.support.venue_loopback import Fault, LoopbackServer

pytestmark = pytest.mark.realdata

CLOCK = int(datetime(2026, 11, 16, 12, tzinfo=UTC).timestamp() * 1000)


def _sample(shared_data: Path, name: str):
    return json.loads((shared_data / "ccxt-doc-samples" / name).read_text())


def _emulated(venue: str, method: str, path: str, params: dict):
    emulator = EMULATORS[venue](SyntheticMarket(), lambda: CLOCK)
    status, body, _ = emulator.handle(method, path, params)
    assert status == 200
    return body


def _keys(item) -> set[str]:
    return set(item) if isinstance(item, dict) else {str(i) for i in range(len(item))}


DAY_MS = 86_400_000
WINDOW = {"startTime": str(CLOCK - DAY_MS), "endTime": str(CLOCK)}

CASES = [
    (
        "binance_fapi_v1_fundingRate_item.json",
        "binance",
        "GET",
        "/fapi/v1/fundingRate",
        {"symbol": "BTCUSDT", **WINDOW},
        lambda b: b[0],
        lambda s: s,
    ),
    (
        "binance_futures_data_openInterestHist.json",
        "binance",
        "GET",
        "/futures/data/openInterestHist",
        {"symbol": "BTCUSDT", "period": "1h", **WINDOW},
        lambda b: b[0],
        lambda s: s[0],
    ),
    (
        "binance_fapi_v1_premiumIndex.json",
        "binance",
        "GET",
        "/fapi/v1/premiumIndex",
        {"symbol": "BTCUSDT"},
        lambda b: b,
        lambda s: s,
    ),
    (
        "bybit_v5_market_funding_history.json",
        "bybit",
        "GET",
        "/v5/market/funding/history",
        {"category": "linear", "symbol": "ETHUSDT", **WINDOW},
        lambda b: b["result"]["list"][0],
        lambda s: s["result"]["list"][0],
    ),
    (
        "bybit_v5_market_open_interest.json",
        "bybit",
        "GET",
        "/v5/market/open-interest",
        {"category": "linear", "symbol": "BTCUSDT", "intervalTime": "1h", **WINDOW},
        lambda b: b["result"]["list"][0],
        lambda s: s["result"]["list"][0],
    ),
    (
        "okx_api_v5_public_funding_rate_history.json",
        "okx",
        "GET",
        "/api/v5/public/funding-rate-history",
        {"instId": "BTC-USDT-SWAP"},
        lambda b: b["data"][0],
        lambda s: s["data"][0],
    ),
    (
        "deribit_public_get_funding_rate_history.json",
        "deribit",
        "GET",
        "/api/v2/public/get_funding_rate_history",
        {
            "instrument_name": "BTC-PERPETUAL",
            "start_timestamp": CLOCK - DAY_MS,
            "end_timestamp": CLOCK,
        },
        lambda b: b["result"][0],
        lambda s: s["result"][0],
    ),
    (
        "deribit_public_get_book_summary_by_instrument.json",
        "deribit",
        "GET",
        "/api/v2/public/get_book_summary_by_instrument",
        {"instrument_name": "BTC-PERPETUAL"},
        lambda b: b["result"][0],
        lambda s: s["result"][0],
    ),
    (
        "hyperliquid_info_fundingHistory.json",
        "hyperliquid",
        "POST",
        "/info",
        {"type": "fundingHistory", "coin": "ETH", "startTime": CLOCK - DAY_MS, "endTime": CLOCK},
        lambda b: b[0],
        lambda s: s[0],
    ),
    (
        "hyperliquid_info_metaAndAssetCtxs.json",
        "hyperliquid",
        "POST",
        "/info",
        {"type": "metaAndAssetCtxs"},
        lambda b: b[1][0],
        lambda s: s[1][0],
    ),
]


@pytest.mark.parametrize(
    ("name", "venue", "method", "path", "params", "pick", "pick_sample"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_emulated_records_have_the_documented_fields(
    shared_data, name, venue, method, path, params, pick, pick_sample
) -> None:
    documented = _keys(pick_sample(_sample(shared_data, name)))
    emulated = _keys(pick(_emulated(venue, method, path, params)))
    assert documented <= emulated, f"missing {documented - emulated}"


def _serve_verbatim(venue: str, path: str, body, day: date, datasets: list[str], match=None):
    clock = int(datetime(day.year, day.month, day.day, 23, tzinfo=UTC).timestamp() * 1000)
    with LoopbackServer([venue], clock_ms=clock) as server:
        server.add_fault(
            Fault(venue, path, kind="transform", transform=lambda _: body, times=None, match=match)
        )
        fetcher = LiveFetcher(
            venue_configs([venue], timeout_ms=3000),
            api_urls=server.urls(),
            enable_rate_limit=False,
            incomplete_refetches=0,
        )
        return fetcher.fetch(day, day + timedelta(days=1), datasets)


def _rows(result, dataset: str, symbol: str) -> list[dict]:
    day = next(iter(result.tables))
    return [r for r in result.tables[day][dataset].to_pylist() if r["symbol"] == symbol]


def test_binance_documented_funding_row(shared_data) -> None:
    item = _sample(shared_data, "binance_fapi_v1_fundingRate_item.json")
    result = _serve_verbatim(
        "binance",
        "/fapi/v1/fundingRate",
        [item],
        date(2021, 5, 17),
        ["funding_rates"],
        match=lambda p: p.get("symbol") == "BTCUSDT",
    )
    (row,) = _rows(result, "funding_rates", "BTC/USDT:USDT")
    assert row["funding_ts"] == datetime(2021, 5, 17, 16, tzinfo=UTC)
    assert row["rate"] == 0.00063521


def test_bybit_documented_foreign_symbol_is_counted_not_lost(shared_data) -> None:
    body = _sample(shared_data, "bybit_v5_market_funding_history.json")  # symbol ETHPERP
    result = _serve_verbatim(
        "bybit",
        "/v5/market/funding/history",
        body,
        date(2022, 12, 26),
        ["funding_rates"],
        match=lambda p: p.get("symbol") == "ETHUSDT",
    )
    outcome = next(o for o in result.outcomes if o.dataset == "funding_rates")
    assert outcome.details["parser_discarded"] == 1
    (placeholder,) = _rows(result, "funding_rates", "ETH/USDT:USDT")
    assert placeholder["funding_ts"] is None  # the landing quarantines it: "missing funding_ts"


def test_okx_documented_duplicate_is_merged(shared_data) -> None:
    body = _sample(shared_data, "okx_api_v5_public_funding_rate_history.json")
    result = _serve_verbatim(
        "okx",
        "funding-rate-history",
        body,
        date(2020, 8, 10),
        ["funding_rates"],
        match=lambda p: p.get("instId") == "BTC-USDT-SWAP",
    )
    outcome = next(o for o in result.outcomes if o.dataset == "funding_rates")
    assert outcome.details["duplicates_merged"] == 1
    (row,) = _rows(result, "funding_rates", "BTC/USDT:USDT")
    assert row["rate"] == 0.017  # realizedRate, the rate actually paid


def test_okx_documented_three_field_open_interest_history(shared_data) -> None:
    body = _sample(shared_data, "okx_api_v5_rubik_stat_contracts_open_interest_history.json")
    result = _serve_verbatim(
        "okx",
        "open-interest-history",
        body,
        date(2022, 3, 25),
        ["open_interest"],
        match=lambda p: p.get("instId") == "BTC-USDT-SWAP",
    )
    (row,) = _rows(result, "open_interest", "BTC/USDT:USDT")
    assert row["oi_usd"] == 2183354317.945 and row["oi_contracts"] is None


def test_deribit_documented_off_grid_hour_is_resampled(shared_data) -> None:
    body = _sample(shared_data, "deribit_public_get_funding_rate_history.json")
    result = _serve_verbatim(
        "deribit", "get_funding_rate_history", body, date(2019, 10, 1), ["funding_rates"]
    )
    outcome = next(o for o in result.outcomes if o.dataset == "funding_rates")
    assert outcome.details["resampled"] == 2  # 01:00 UTC is not an 8 h mark (both symbols)
    assert outcome.status == "failed"  # no 8 h settlement left that day: a gap, not a zero


def test_deribit_documented_book_summary_open_interest(shared_data) -> None:
    body = _sample(shared_data, "deribit_public_get_book_summary_by_instrument.json")
    result = _serve_verbatim(
        "deribit",
        "get_book_summary_by_instrument",
        body,
        date(2025, 11, 20),
        ["open_interest"],
        match=lambda p: p.get("instrument_name") == "BTC-PERPETUAL",
    )
    (row,) = _rows(result, "open_interest", "BTC/USD:BTC")
    assert row["oi_usd"] == 9978911260 and row["oi_contracts"] == 997891126
    assert row["ts"] == datetime.fromtimestamp(1763674177.068, UTC)


def test_hyperliquid_documented_funding_row(shared_data) -> None:
    body = _sample(shared_data, "hyperliquid_info_fundingHistory.json")
    result = _serve_verbatim(
        "hyperliquid",
        "/info",
        body,
        date(2024, 1, 3),
        ["funding_rates"],
        match=lambda p: p.get("type") == "fundingHistory" and p.get("coin") == "ETH",
    )
    (row,) = _rows(result, "funding_rates", "ETH/USDC:USDC")
    assert row["funding_ts"] == datetime(2024, 1, 3, 14, tzinfo=UTC)  # 14:00:00.031 rounded
    assert row["rate"] == 0.0000125 and row["interval_hours"] == 1.0
