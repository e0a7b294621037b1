"""Completeness against the configuration: the plan follows the configured venues and symbols,
the funding coverage check passes on a subset-of-venues landing, and every exchange dataset's
completeness check names the missing venue-days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.defs import raw_landing
from orchestration.defs.raw_checks import completeness_result
from orchestration.landing import coverage
from orchestration.landing.raw_schemas import FUNDING_RATES, PREMIUM_INDEX
from orchestration.sources.simulated.simulate import simulate_day

SUBSET = {"PERP_FRAGILITY_VENUES": "binance,bybit,okx"}
DAYS = [date(2026, 11, 2), date(2026, 11, 3)]


def _only(table: pa.Table, venues: set[str]) -> pa.Table:
    return table.filter(pa.array([v in venues for v in table.column("venue").to_pylist()]))


def test_the_plan_follows_the_configured_venues_symbols_and_datasets() -> None:
    full = coverage.coverage_plan({})
    assert {e.venue for e in full} == {"binance", "bybit", "okx", "deribit", "hyperliquid"}
    funding = {(e.venue, e.symbol): e.rows_per_day for e in full if e.dataset == "funding_rates"}
    assert funding[("hyperliquid", "BTC/USDC:USDC")] == 24
    assert funding[("okx", "ETH/USDT:USDT")] == 3
    # long/short only where the venue publishes it; dated futures: presence per venue and asset
    assert {e.venue for e in full if e.dataset == "long_short_ratio"} == {"binance", "bybit", "okx"}
    assert {(e.venue, e.symbol, e.rows_per_day) for e in full
            if e.dataset == "dated_futures" and e.base_asset == "ETH"} == {
        ("binance", None, None), ("okx", None, None), ("deribit", None, None)}
    narrow = coverage.coverage_plan({**SUBSET, "PERP_FRAGILITY_SYMBOLS": "ETH/USDT:USDT",
                                     "PERP_FRAGILITY_DATASETS": "funding_rates,ohlcv_daily"})
    assert {(e.venue, e.symbol, e.dataset) for e in narrow} == {
        (v, "ETH/USDT:USDT", d) for v in ("binance", "bybit", "okx")
        for d in ("funding_rates", "ohlcv_daily")}


def test_funding_coverage_passes_on_a_subset_of_venues(monkeypatch) -> None:
    monkeypatch.setenv("PERP_FRAGILITY_VENUES", SUBSET["PERP_FRAGILITY_VENUES"])
    landed = pa.concat_tables(
        [_only(simulate_day(d, datasets=["funding_rates"])["funding_rates"],
               {"binance", "bybit", "okx"}) for d in DAYS])
    result = raw_landing._funding_coverage_result(DAYS, landed)
    assert result.passed, result.metadata["gaps"]
    assert result.metadata["venue_days_expected"].value == 2 * 6  # 3 venues x 2 perps x 2 days
    # with every seed venue configured the same landing is short of Deribit and Hyperliquid
    monkeypatch.delenv("PERP_FRAGILITY_VENUES")
    assert raw_landing._funding_coverage_result(DAYS, landed).metadata[
        "venue_days_missing"].value == 2 * 4


def test_completeness_names_a_missing_venue_day_of_an_hourly_dataset() -> None:
    plan = coverage.coverage_plan(SUBSET)
    tables = [simulate_day(d, datasets=["premium_index"])["premium_index"] for d in DAYS]
    tables[1] = _only(tables[1], {"binance", "okx"})  # bybit lost 2026-11-03
    hours = tables[0].column("ts").to_pylist()
    # and binance ETH lost one hour on 11-02
    keep = [not (v == "binance" and s == "ETH/USDT:USDT" and t == hours[0])
            for v, s, t in zip(tables[0].column("venue").to_pylist(),
                               tables[0].column("symbol").to_pylist(), hours, strict=True)]
    tables[0] = tables[0].filter(pa.array(keep))
    result = completeness_result(PREMIUM_INDEX, DAYS, pa.concat_tables(tables), plan)
    assert not result.passed
    assert result.metadata["venue_days_missing"].value == 2  # (11-02 binance), (11-03 bybit)
    gaps = result.metadata["gaps"].value
    assert "2026-11-02 binance ETH/USDT:USDT: 23/24" in gaps
    assert "2026-11-03 bybit BTC/USDT:USDT: 0/24" in gaps and "deribit" not in gaps


@pytest.mark.parametrize("dataset", ["ohlcv_daily", "open_interest", "long_short_ratio",
                                     "dated_futures", "funding_rates"])
def test_a_complete_simulated_day_passes_every_exchange_completeness_check(dataset) -> None:
    from orchestration.landing.raw_schemas import DATASETS_BY_NAME

    plan = coverage.coverage_plan({})
    table = pa.concat_tables([simulate_day(d, datasets=[dataset])[dataset] for d in DAYS])
    result = completeness_result(DATASETS_BY_NAME[dataset], DAYS, table, plan)
    assert result.passed, result.metadata["gaps"]


def test_the_plan_file_is_what_dbt_reads(tmp_path) -> None:
    path = coverage.write_plan(tmp_path, SUBSET)
    table = pq.read_table(path)
    assert table.schema.equals(coverage.PLAN_SCHEMA)
    assert set(table.column("venue").to_pylist()) == {"binance", "bybit", "okx"}
    again = path.read_bytes()
    coverage.write_plan(tmp_path, SUBSET)
    assert path.read_bytes() == again  # same configuration, same bytes
    assert FUNDING_RATES.name in set(table.column("dataset").to_pylist())


def test_snapshot_days_count_for_the_day_they_close() -> None:
    ts = datetime(2026, 11, 3, tzinfo=UTC)
    table = pa.table({"venue": ["binance"], "symbol": ["ETH/USDT:USDT"], "base_asset": ["ETH"],
                      "ts": pa.array([ts], pa.timestamp("us", tz="UTC"))})
    plan = [coverage.Expectation("binance", "ETH/USDT:USDT", "ETH", "open_interest", 1)]
    assert coverage.dataset_gaps("open_interest", table, [ts.date() - timedelta(days=1)],
                                 plan) == []


def test_funding_coverage_holds_a_narrowed_live_source_to_what_it_fetches(monkeypatch) -> None:
    """The live resource's venues/symbols fields win over the environment: a source fetching
    OKX while the environment configures Binance must be held to OKX's perpetuals (before, the
    check filtered the configured Binance rules by OKX, expected nothing and passed on an empty
    landing), and a symbols field narrows what is expected."""
    from orchestration.resources.live_market import LiveMarketSource

    monkeypatch.setenv("PERP_FRAGILITY_VENUES", "binance")
    monkeypatch.delenv("PERP_FRAGILITY_SYMBOLS", raising=False)
    nothing = FUNDING_RATES.schema.empty_table()
    okx = LiveMarketSource(venues=["okx"])
    result = raw_landing._funding_coverage_result(DAYS, nothing, okx.served_symbols())
    assert not result.passed
    assert result.metadata["venue_days_expected"].value == 2 * 2  # OKX: ETH and BTC, 2 days
    eth_only = LiveMarketSource(venues=["okx"], symbols=["ETH/USDT:USDT"])
    landed = pa.concat_tables(
        [_only(simulate_day(d, datasets=["funding_rates"])["funding_rates"], {"okx"})
         for d in DAYS])
    landed = landed.filter(pa.compute.equal(landed.column("symbol"), "ETH/USDT:USDT"))
    result = raw_landing._funding_coverage_result(DAYS, landed, eth_only.served_symbols())
    assert result.passed, result.metadata["gaps"]
    assert result.metadata["venue_days_expected"].value == 2
