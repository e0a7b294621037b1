"""Venue configuration, capability table, outcome record and series helpers (no network)."""

from __future__ import annotations

from datetime import date

import ccxt
import pytest

from orchestration.lib.venues import venue_rules
from orchestration.resources.live_market import LiveMarketSource
from orchestration.sources.live import (
    CURRENT_ONLY,
    NOT_AVAILABLE,
    NOT_CONFIGURED,
    DatasetOutcome,
    build_exchange,
    capabilities,
    default_venue_configs,
    outcomes_table,
    read_outcomes,
    summarise,
    venue_configs,
    write_outcomes,
)
from orchestration.sources.live.series import normalise_entries, raw_item_count


def test_venues_and_symbols_come_from_the_seed() -> None:
    configs = default_venue_configs()
    assert [c.venue for c in configs] == ["binance", "bybit", "okx", "deribit", "hyperliquid"]
    for rule in venue_rules():
        config = next(c for c in configs if c.venue == rule.venue)
        assert config.perps[rule.base_asset] == rule.symbol
    assert {c.venue: c.exchange_id for c in configs}["binance"] == "binanceusdm"
    assert next(c for c in configs if c.venue == "hyperliquid").default_interval_hours == 1


def test_unknown_venue_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown venue"):
        venue_configs(["mtgox"])


def test_capability_table_says_what_a_venue_cannot_give() -> None:
    table = capabilities(venue_configs())
    assert table["deribit"]["open_interest"] == CURRENT_ONLY
    assert table["hyperliquid"]["open_interest"] == CURRENT_ONLY
    assert table["hyperliquid"]["long_short_ratio"] == NOT_AVAILABLE
    assert table["deribit"]["long_short_ratio"] == NOT_AVAILABLE
    assert table["hyperliquid"]["dated_futures"] == NOT_AVAILABLE
    assert table["bybit"]["dated_futures"] == NOT_CONFIGURED
    assert all(table[v]["funding_rates"] == "available" for v in table)


def test_clients_are_built_with_rate_limiting_timeout_and_overrides() -> None:
    config = venue_configs(["bybit"], timeout_ms=1234)[0]
    exchange = build_exchange(config, api_url="http://127.0.0.1:9/bybit")
    assert exchange.enableRateLimit is True and exchange.timeout == 1234
    assert exchange.urls["api"]["public"] == "http://127.0.0.1:9/bybit"
    assert isinstance(exchange, ccxt.bybit)
    assert ccxt.bybit().has["fetchOpenInterestHistory"] is True  # class flags untouched
    assert LiveMarketSource().throttle is True  # the resource throttles by default


def test_outcome_record_round_trips_and_summarises(tmp_path) -> None:
    day = date(2026, 11, 16)
    outcomes = [
        DatasetOutcome(day, "okx", "funding_rates", "ok", rows=6, expected=6, found=6,
                       details={"reordered": 0, "duplicates_merged": 2}),
        DatasetOutcome(day, "bybit", "funding_rates", "failed", message="venue unreachable"),
    ]
    path = write_outcomes(day, outcomes, tmp_path)
    assert path.read_bytes() == write_outcomes(day, list(reversed(outcomes)), tmp_path
                                               ).read_bytes()
    rows = read_outcomes(day, tmp_path)
    assert [(r["venue"], r["status"]) for r in rows] == [("bybit", "failed"), ("okx", "ok")]
    assert rows[1]["details"] == "duplicates_merged=2"
    assert summarise(outcomes) == {"okx": {"funding_rates": "ok"},
                                   "bybit": {"funding_rates": "failed: venue unreachable"}}
    assert outcomes_table(outcomes).num_rows == 2
    with pytest.raises(ValueError):
        DatasetOutcome(day, "okx", "funding_rates", "fine")


def test_normalise_merges_identical_repeats_and_keeps_conflicts() -> None:
    from collections import Counter

    counts: Counter[str] = Counter()
    entries = [{"timestamp": 3, "rate": 1.0}, {"timestamp": 1, "rate": 1.0},
               {"timestamp": 3, "rate": 1.0}, {"timestamp": 3, "rate": 2.0}]
    kept = normalise_entries(entries, lambda e: e["timestamp"], counts)
    assert [e["timestamp"] for e in kept] == [1, 3, 3]
    assert counts["duplicates_merged"] == 1 and counts["conflicting_duplicates"] == 1
    assert counts["reordered"] == 1


def test_raw_item_count_reads_the_venue_envelopes() -> None:
    assert raw_item_count([1, 2]) == 2
    assert raw_item_count({"retCode": 0, "result": {"list": [1]}}) == 1
    assert raw_item_count({"code": "0", "data": [1, 2, 3]}) == 3
    assert raw_item_count({"jsonrpc": "2.0", "result": [1]}) == 1
    assert raw_item_count({"result": {"ticks": [1, 2]}}) == 2
    assert raw_item_count({"symbol": "x"}) is None
