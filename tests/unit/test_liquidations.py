"""Liquidations: venue conventions, landing checks, the simulated story, coverage findings,
Deribit's REST history (pytest-httpserver), the collector's options."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from orchestration.landing import landing
from orchestration.landing.raw_schemas import LIQUIDATION_COVERAGE, LIQUIDATIONS
from orchestration.sources.liquidations import command
from orchestration.sources.liquidations.compaction import coverage_findings, deribit_day
from orchestration.sources.liquidations.normalise import Liquidation, Reject, normalise
from orchestration.sources.simulated import simulate_day

BASES = {"BTC/USDT:USDT": "BTC", "ETH/USDT:USDT": "ETH"}
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ccxt"


def _one(venue: str, item: dict, sizes: dict | None = None) -> Liquidation | Reject:
    (out,) = list(normalise(venue, item, BASES, sizes))
    return out


@pytest.mark.parametrize(
    ("venue", "raw_side", "side"),
    [("binance", "sell", "long"), ("binance", "buy", "short"),
     ("okx", "sell", "long"), ("okx", "buy", "short"),
     ("bybit", "buy", "long"), ("bybit", "sell", "short")],
)
def test_side_mapping_per_venue(venue, raw_side, side):
    item = {"symbol": "BTC/USDT:USDT", "timestamp": 1_700_000_000_000, "price": 50_000.0,
            "contracts": 0.2, "contractSize": 1.0, "side": raw_side,
            "info": {"details": [{"side": raw_side, "sz": "2", "bkPx": "50000",
                                  "ts": "1700000000000"}]}}
    out = _one(venue, item, {"BTC/USDT:USDT": 0.1})
    assert isinstance(out, Liquidation)
    assert out.side == side


def test_okx_reads_every_detail_and_converts_contracts():
    item = {"symbol": "ETH/USDT:USDT", "contractSize": None, "info": {"details": [
        {"side": "sell", "sz": "30", "bkPx": "3000", "ts": "1700000000000"},
        {"side": "buy", "sz": "5", "bkPx": "3010", "ts": "1700000000500"}]}}
    rows = list(normalise("okx", item, BASES, {"ETH/USDT:USDT": 0.1}))
    assert [(r.side, r.amount_base, r.notional_usd) for r in rows] == [
        ("long", 3.0, 9000.0), ("short", 0.5, 1505.0)]


@pytest.mark.parametrize(
    ("item", "reason"),
    [({"symbol": "BTC/USDT:USDT", "timestamp": None, "price": 1.0, "contracts": 1.0,
       "side": "sell"}, "malformed: missing time"),
     ({"symbol": "BTC/USDT:USDT", "timestamp": 1, "price": None, "contracts": 1.0,
       "side": "sell"}, "malformed: missing or non-positive price"),
     ({"symbol": "BTC/USDT:USDT", "timestamp": 1, "price": 1.0, "contracts": float("nan"),
       "side": "sell"}, "malformed: missing or non-positive amount"),
     ({"symbol": "BTC/USDT:USDT", "timestamp": 1, "price": 1.0, "contracts": 1.0,
       "side": None}, "malformed: unknown side None"),
     ({"symbol": "DOGE/USDT:USDT", "timestamp": 1, "price": 1.0, "contracts": 1.0,
       "side": "sell"}, "unconfigured symbol 'DOGE/USDT:USDT'")],
)
def test_broken_events_are_rejects_with_a_reason(item, reason):
    out = _one("binance", item)
    assert isinstance(out, Reject) and out.reason == reason


def test_landing_quarantines_unknown_side_and_bad_prices():
    ts = datetime(2026, 11, 9, tzinfo=UTC)
    rows = [
        dict(venue="bybit", symbol="BTC/USDT:USDT", base_asset="BTC", liquidated_at=ts,
             side=side, price=price, amount_base=amount, capture=capture)
        for side, price, amount, capture in [
            ("long", 1.0, 1.0, "stream"), ("sideways", 1.0, 1.0, "stream"),
            ("short", -1.0, 1.0, "stream"), ("short", 2.0, -1.0, "stream"),
            ("long", 3.0, 1.0, "carrier-pigeon"), ("long", 1.0, 1.0, "stream")]
    ]
    valid, rejected = landing.split_valid(LIQUIDATIONS, pa.Table.from_pylist(rows))
    assert valid.num_rows == 1
    assert rejected.column("reject_reason").to_pylist() == [
        "unknown side", "non-positive price", "negative amount_base", "unknown capture",
        "duplicate key"]


def _day(day: date, seed: int = 7) -> dict[str, pa.Table]:
    return simulate_day(day, seed, datasets={"liquidations", "liquidation_coverage"})


def test_simulated_liquidations_are_deterministic_per_day_and_seed():
    a, b = _day(date(2026, 11, 9)), _day(date(2026, 11, 9))
    assert a["liquidations"].equals(b["liquidations"])
    assert a["liquidation_coverage"].equals(b["liquidation_coverage"])
    assert not _day(date(2026, 11, 9), seed=8)["liquidations"].equals(a["liquidations"])
    for name, dataset in (("liquidations", LIQUIDATIONS),
                          ("liquidation_coverage", LIQUIDATION_COVERAGE)):
        _, rejected = landing.split_valid(dataset, a[name])
        assert rejected.num_rows == 0


def _long_share_and_total(table: pa.Table) -> tuple[float, float]:
    total = pc.sum(table["notional_usd"]).as_py()
    longs = pc.sum(table.filter(pc.equal(table["side"], "long"))["notional_usd"]).as_py()
    return longs / total, total


def test_simulated_story_few_in_build_up_clustered_long_in_the_unwind():
    share_build, total_build = _long_share_and_total(_day(date(2026, 10, 1))["liquidations"])
    share_unwind, total_unwind = _long_share_and_total(_day(date(2026, 11, 9))["liquidations"])
    share_later, total_later = _long_share_and_total(_day(date(2026, 11, 20))["liquidations"])
    assert total_unwind > 20 * total_build  # the cascade day
    assert total_build < total_later < total_unwind  # decays through the unwind
    assert share_build < 0.5 < 0.75 < share_unwind  # longs dominate when the market falls
    assert share_later > 0.5


def test_binance_rows_are_sampled_once_per_symbol_per_second():
    table = _day(date(2026, 11, 9))["liquidations"]
    for venue, sampled in (("binance", True), ("bybit", False)):
        rows = table.filter(pc.equal(table["venue"], venue)).to_pylist()
        seconds = [(r["symbol"], int(r["liquidated_at"].timestamp())) for r in rows]
        assert (len(seconds) == len(set(seconds))) is sampled


def test_simulated_coverage_matches_the_rows_and_misses_outages():
    for offset in range(40):  # find a day with an outage (deterministic)
        tables = _day(date(2026, 9, 1) + timedelta(days=offset))
        cov = tables["liquidation_coverage"]
        if pc.min(cov["seconds_connected"]).as_py() < 3600:
            break
    else:
        pytest.fail("no simulated collector outage in 40 days")
    assert set(cov["venue"].to_pylist()) == {"binance", "bybit", "okx"}  # the streamed venues
    assert cov.num_rows == 3 * 24
    events = tables["liquidations"]
    for row in cov.to_pylist():
        if row["seconds_connected"] == 0:  # a fully missed hour holds no row
            start = row["hour_ts"]
            inside = events.filter(pc.and_(
                pc.equal(events["venue"], row["venue"]),
                pc.and_(pc.greater_equal(events["liquidated_at"], start),
                        pc.less(events["liquidated_at"], start + timedelta(hours=1)))))
            assert inside.num_rows == 0
    assert sum(cov["events"].to_pylist()) == events.num_rows


def test_coverage_findings_fail_missing_venues_and_warn_below_share():
    day = date(2026, 11, 17)
    start = datetime(2026, 11, 17, tzinfo=UTC)
    coverage = pa.Table.from_pylist(
        [dict(venue="binance", hour_ts=start + timedelta(hours=h), capture="stream",
              seconds_connected=3600.0) for h in range(24)]
        + [dict(venue="bybit", hour_ts=start + timedelta(hours=h), capture="stream",
                seconds_connected=1800.0) for h in range(24)],
        schema=LIQUIDATION_COVERAGE.schema,
    )
    findings = coverage_findings([day], ["binance", "bybit", "okx"],
                                 LIQUIDATIONS.schema.empty_table(), coverage, 0.9)
    assert [(f.venue, f.missing, f.connected_share) for f in findings] == [
        ("bybit", False, 0.5), ("okx", True, None)]
    assert "no collector ran" in findings[1].describe()


def test_deribit_rest_records_have_no_side_and_are_quarantined(httpserver):
    instruments = json.loads((FIXTURES / "deribit" / "public_get_instruments.json").read_text())
    httpserver.expect_request("/api/v2/public/get_instruments").respond_with_json(instruments)
    day = date(2026, 11, 9)
    in_day = int(datetime(2026, 11, 9, 12, tzinfo=UTC).timestamp() * 1000)
    httpserver.expect_request(
        "/api/v2/public/get_last_settlements_by_instrument"
    ).respond_with_json({"jsonrpc": "2.0", "result": {"settlements": [
        {"type": "bankruptcy", "timestamp": in_day, "funded": 1.0, "session_bankrupcy": 0.25,
         "session_profit_loss": 0.1, "session_tax": 0.0, "session_tax_rate": 0.0,
         "socialized": 0.0},
        {"type": "bankruptcy", "timestamp": in_day - 86_400_000, "funded": 1.0,
         "session_bankrupcy": 0.5, "session_profit_loss": 0.1, "session_tax": 0.0,
         "session_tax_rate": 0.0, "socialized": 0.0}], "continuation": "none"},
        "usIn": 1, "usOut": 2, "usDiff": 1, "testnet": False})
    table = deribit_day(day, {"BTC/USD:BTC": "BTC"}, httpserver.url_for("/").rstrip("/"))
    assert table.num_rows == 1  # the record of the day before is not the day's
    (row,) = table.to_pylist()
    assert row["amount_base"] == 0.25 and row["capture"] == "rest" and row["side"] is None
    valid, rejected = landing.split_valid(LIQUIDATIONS, table)
    assert valid.num_rows == 0
    assert rejected.column("reject_reason").to_pylist() == ["missing side"]


def _args(**overrides) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    args = parser.parse_args([])
    for key, value in overrides.items():
        setattr(args, key, value)
    return args


def test_collector_options_and_ws_url_env(tmp_path, monkeypatch):
    monkeypatch.setenv("PERP_FRAGILITY_DATA_DIR", str(tmp_path))
    env = {"PERP_FRAGILITY_WS_URLS": "binance=ws://127.0.0.1:9, okx=wss://mirror.example:443"}
    settings = command.settings_from_args(
        _args(venues="binance,okx,hyperliquid", ws_url=["okx=ws://127.0.0.1:7"]), env)
    assert settings.venues == ("binance", "okx")  # hyperliquid has no stream
    assert settings.ws_urls == {"binance": "ws://127.0.0.1:9", "okx": "ws://127.0.0.1:7"}
    assert all(":" in s for symbols in settings.symbols.values() for s in symbols)
    with pytest.raises(command.CollectorUsageError, match="VENUE=URL"):
        command.settings_from_args(_args(api_url=["binance"]), {})
    with pytest.raises(command.CollectorUsageError, match="unknown venue"):
        command.settings_from_args(_args(ws_url=["kraken=ws://h:1"]), {})
    with pytest.raises(command.CollectorUsageError, match="flush-seconds"):
        command.settings_from_args(_args(flush_seconds=120.0), {})


def test_ws_url_replaces_scheme_and_host_and_keeps_paths():
    from orchestration.sources.liquidations.collector import CollectorSettings, build_exchange

    settings = CollectorSettings(symbols={}, bases={}, data_root=Path("."),
                                 ws_urls={"bybit": "ws://127.0.0.1:9"},
                                 api_urls={"bybit": "http://127.0.0.1:8"})
    exchange = build_exchange("bybit", settings)
    assert exchange.urls["api"]["ws"]["public"]["linear"] == "ws://127.0.0.1:9/v5/public/linear"
    assert exchange.urls["api"]["public"] == "http://127.0.0.1:8"


def test_import_liquidations_csv(tmp_path):
    from orchestration.sources.importers import import_files

    source = Path(__file__).resolve().parents[1] / "fixtures" / "liquidations" / "vendor_export.csv"
    report = import_files("liquidations", [source], tmp_path, allow_rejects=True)
    # the +02:00 row is 21:15 UTC on 10-10; naive time and venue side words are refused;
    # the negative price parses and is quarantined by the landing
    assert report.rows_read == 5
    assert report.rows_landed == 2
    assert report.rejected_by_reason == {
        "naive timestamp (no UTC offset)": 1,
        "side is not long or short (long = a long position was liquidated)": 1,
        "non-positive price": 1,
    }
    landed = landing.read_dataset(LIQUIDATIONS, tmp_path).to_pylist()
    assert [(r["venue"], r["liquidated_at"].isoformat(), r["notional_usd"], r["capture"])
            for r in landed] == [
        ("binance", "2025-10-10T21:15:03.250000+00:00", 56000.25, "import"),
        ("bybit", "2025-10-10T21:16:00+00:00", 7600.0, "import")]
    again = import_files("liquidations", [source], tmp_path, allow_rejects=True)
    assert again.rows_landed == 2  # idempotent: same partitions rewritten
    assert landing.read_dataset(LIQUIDATIONS, tmp_path).num_rows == 2


def test_daily_asset_compacts_collector_files_and_checks_coverage(tmp_path, monkeypatch):
    """Live mode: the day's collector segments (two sessions overlapping) land once; the check
    fails for a configured venue with no data and reports one below the connected share."""
    import dagster as dg

    from orchestration.defs.liquidations import COVERAGE_CHECK, land_liquidations
    from orchestration.resources.liquidation_source import LiquidationSource
    from orchestration.sources.liquidations.store import HourCoverage, StreamStore

    monkeypatch.setenv("PERP_FRAGILITY_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PERP_FRAGILITY_VENUES", "binance,bybit,okx")
    day = date(2026, 11, 17)
    start = datetime(2026, 11, 17, 10, tzinfo=UTC)
    event = Liquidation("bybit", "BTC/USDT:USDT", "BTC", int(start.timestamp() * 1000) + 5,
                        "long", 60000.0, 0.5)
    for session in ("a", "b"):  # a restart that wrote the same event again
        store = StreamStore(tmp_path, session)
        store.add(event, start)
        store.coverage[("bybit", start)] = HourCoverage(seconds_connected=3600.0)
        store.coverage[("binance", start)] = HourCoverage(seconds_connected=1800.0)
        store.flush(start)
    resource = LiquidationSource(mode="live", fetch_deribit=False, data_dir=str(tmp_path))
    result = dg.materialize([land_liquidations], resources={"liquidation_source": resource},
                            partition_key=day.isoformat(), raise_on_error=False)
    assert result.success
    landed = landing.read_dataset(LIQUIDATIONS, tmp_path)
    assert landed.num_rows == 1 and landed["capture"].to_pylist() == ["stream"]
    coverage = landing.read_dataset(LIQUIDATION_COVERAGE, tmp_path).to_pylist()
    assert {(r["venue"], r["seconds_connected"]) for r in coverage} == {
        ("bybit", 3600.0), ("binance", 3600.0)}  # two sessions summed (1800 + 1800), clipped
    (check,) = [c for c in result.get_asset_check_evaluations()
                if c.check_name == COVERAGE_CHECK]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    text = check.metadata["findings"].value
    assert "okx 2026-11-17: no coverage record" in text
    assert "binance 2026-11-17: connected 4.2%" in text  # 3600 s of 86,400
