"""The simulated market: determinism, the raw contract, venue rules, calendars and the story."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from orchestration.landing import landing
from orchestration.landing.raw_schemas import ALL_DATASETS, DATASETS_BY_NAME
from orchestration.lib.venues import venue_rules
from orchestration.sources.simulated import SOURCE_NAME, SimulationConfig, phase, simulate_day

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEMO_START, DEMO_END = date(2026, 7, 26), date(2026, 11, 22)
UNWIND_START = date(2026, 11, 9)
REPORT_WEEK = [date(2026, 11, 16) + timedelta(days=i) for i in range(7)]  # 2026-W47
LATE_OCTOBER = [date(2026, 10, 22) + timedelta(days=i) for i in range(10)]
CALM_WEEK = [date(2026, 8, 1) + timedelta(days=i) for i in range(7)]
BASELINE_8H = 0.0001
SAMPLE_DAYS = [
    date(2024, 2, 29),  # leap day, before the anchor
    date(2026, 3, 14),  # unwind of the previous cycle
    date(2026, 8, 1),  # Saturday in the build-up
    date(2026, 10, 27),  # Tuesday: a CFTC report date, compression
    UNWIND_START,  # the liquidation spike
    date(2026, 11, 22),  # Sunday, last day of the demo window
    date(2026, 11, 26),  # Thanksgiving
    date(2026, 12, 25),  # Christmas and a Deribit/Binance/OKX quarterly expiry
]
ENTRY_HOURS = 8  # funding uses the premium of the interval that ends at the settlement


@cache
def day_tables(day: date, seed: int = 7, config: SimulationConfig | None = None):
    return simulate_day(day, seed, config)


def rows(day: date, name: str, config: SimulationConfig | None = None) -> list[dict]:
    return day_tables(day, 7, config)[name].to_pylist()


def midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def rules_by_symbol() -> dict[tuple[str, str], object]:
    return {(r.venue, r.symbol): r for r in venue_rules()}


def rate_8h_equivalent(row: dict) -> float:
    interval = (
        row["interval_hours"]
        or rules_by_symbol()[(row["venue"], row["symbol"])].default_interval_hours
    )
    return row["rate"] * 8.0 / interval


# --- the contract ------------------------------------------------------------------------------


@pytest.mark.parametrize("day", SAMPLE_DAYS)
def test_every_dataset_is_present_and_conformed(day):
    tables = simulate_day(day)
    assert list(tables) == [d.name for d in ALL_DATASETS]
    for dataset in ALL_DATASETS:
        table = tables[dataset.name]
        assert table.schema.equals(dataset.schema), dataset.name
        if table.num_rows:
            assert set(table.column("source").to_pylist()) == {SOURCE_NAME}


@pytest.mark.parametrize("day", SAMPLE_DAYS)
def test_no_row_is_rejected_by_landing(day):
    for name, table in day_tables(day).items():
        _, rejected = landing.split_valid(DATASETS_BY_NAME[name], table)
        assert rejected.num_rows == 0, (name, rejected.column("reject_reason").to_pylist()[:3])


def test_daily_timestamps_follow_the_raw_contract():
    day = date(2026, 11, 20)
    start, end = midnight(day), midnight(day + timedelta(days=1))
    for name in ("ohlcv_daily", "long_short_ratio"):
        assert {r["ts"] for r in rows(day, name)} == {start}, name
    for name in ("open_interest", "dated_futures"):  # end-of-day snapshot: 00:00 of day + 1
        assert {r["ts"] for r in rows(day, name)} == {end}, name
    hours = {r["ts"] for r in rows(day, "premium_index")}
    assert hours == {start + timedelta(hours=h) for h in range(24)}
    assert all(start <= r["funding_ts"] < end for r in rows(day, "funding_rates"))


# --- determinism --------------------------------------------------------------------------------


def test_same_inputs_give_identical_tables():
    day = date(2026, 11, 13)
    first = simulate_day(day, 7)
    simulate_day(day + timedelta(days=1), 7)  # other calls in between change nothing
    simulate_day(day, 8)
    second = simulate_day(day, 7)
    for name in first:
        assert first[name].equals(second[name]), name


def test_other_seeds_give_other_noise():
    a = simulate_day(date(2026, 11, 13), 7)["premium_index"]
    b = simulate_day(date(2026, 11, 13), 8)["premium_index"]
    assert not a.equals(b)


def test_landing_twice_gives_identical_parquet_bytes(tmp_path):
    day = date(2026, 11, 20)
    for root in ("a", "b"):
        for dataset in ALL_DATASETS:
            landing.land_partition(
                dataset, day, simulate_day(day)[dataset.name], data_root=tmp_path / root
            )
    # one partition + one schema file per dataset (``_``-prefixed folders are bookkeeping:
    # the coverage plan and the live outcome record)
    root = tmp_path / "a" / "raw"
    files_a = sorted(f for f in root.rglob("*.parquet") if not any(
        part.startswith("_") and part != "_empty" for part in f.relative_to(root).parts))
    assert len(files_a) == 2 * len(ALL_DATASETS)
    for file_a in files_a:
        file_b = tmp_path / "b" / file_a.relative_to(tmp_path / "a")
        assert file_a.read_bytes() == file_b.read_bytes(), file_a.name


DIGEST_SNIPPET = """
import hashlib, sys
from datetime import date
from orchestration.sources.simulated import simulate_day
tables = simulate_day(date(2026, 11, 16), 7)
print(hashlib.sha256(repr([t.to_pylist() for t in tables.values()]).encode()).hexdigest())
"""


def test_output_does_not_depend_on_the_process_hash_seed():
    tables = simulate_day(date(2026, 11, 16), 7)
    expected = hashlib.sha256(repr([t.to_pylist() for t in tables.values()]).encode()).hexdigest()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run(
            [sys.executable, "-c", DIGEST_SNIPPET],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        assert out.stdout.strip() == expected


# --- funding: venue rules -----------------------------------------------------------------------


@pytest.mark.parametrize("day", SAMPLE_DAYS)
def test_settlements_per_day_follow_the_interval(day):
    counts: dict[tuple[str, str], int] = {}
    for row in rows(day, "funding_rates"):
        counts[(row["venue"], row["symbol"])] = counts.get((row["venue"], row["symbol"]), 0) + 1
    for rule in venue_rules():
        assert counts[(rule.venue, rule.symbol)] == rule.settlements_per_day, rule.symbol
    assert {c for (venue, _), c in counts.items() if venue == "hyperliquid"} == {24}
    assert {c for (venue, _), c in counts.items() if venue != "hyperliquid"} == {3}


def test_settlement_hours_and_reported_intervals():
    day = date(2026, 11, 20)
    for row in rows(day, "funding_rates"):
        hour = row["funding_ts"].hour
        if row["venue"] == "hyperliquid":
            assert row["interval_hours"] is None
        elif row["venue"] == "deribit":
            assert row["interval_hours"] is None and hour in (0, 8, 16)
        else:
            assert row["interval_hours"] == 8.0 and hour in (0, 8, 16)


def test_binance_and_bybit_sit_exactly_at_baseline_on_calm_days():
    for day in CALM_WEEK:
        assert phase(day) == "build_up"
        for row in rows(day, "funding_rates"):
            if row["venue"] in ("binance", "bybit"):
                assert row["rate"] == BASELINE_8H, (day, row)
            if row["venue"] == "hyperliquid":
                assert row["rate"] == BASELINE_8H / 8, (day, row)


def test_every_rate_is_within_its_cap():
    caps = {(r.venue, r.symbol): r.cap_rate for r in venue_rules()}
    hit = 0
    for offset in range(-3, 25):
        for row in rows(UNWIND_START + timedelta(days=offset), "funding_rates"):
            cap = caps[(row["venue"], row["symbol"])]
            assert abs(row["rate"]) <= cap + 1e-15, row
            hit += abs(row["rate"]) >= cap - 1e-9
    assert hit >= 1, "the unwind's liquidation spike should push ETH on Binance to its cap"


def _premium_by_hour(day: date) -> dict[tuple[str, str], np.ndarray]:
    """Hourly premium (mark / index - 1) of the previous day and the day, 48 values."""
    out: dict[tuple[str, str], list[float]] = {}
    for d in (day - timedelta(days=1), day):
        for row in sorted(rows(d, "premium_index"), key=lambda r: r["ts"]):
            out.setdefault((row["venue"], row["symbol"]), []).append(
                row["mark_price"] / row["index_price"] - 1.0
            )
    return {k: np.array(v) for k, v in out.items()}


def _venue_formula(venue: str, premium: float, interest: float) -> float:
    """The 8 h rate as the venues publish it (METRICS.md, venue facts)."""
    if venue in ("binance", "hyperliquid"):
        return premium + min(max(interest - premium, -0.0005), 0.0005)
    if venue == "bybit":
        gap = interest - premium
        return interest if abs(gap) <= 0.0005 else premium + min(max(gap, -0.0005), 0.0005)
    if venue == "okx":
        return premium
    if venue == "deribit":
        return max(0.00025, premium) + min(-0.00025, premium)
    raise AssertionError(venue)


@pytest.mark.parametrize(
    "day", [date(2026, 8, 3), date(2026, 10, 20), date(2026, 11, 10), date(2026, 11, 18)]
)
def test_funding_follows_the_landed_premium(day):
    """Each settlement equals the venue formula applied to the mean premium of its interval,
    recomputed from the landed ``premium_index`` rows (this day's and the day before's)."""
    premium = _premium_by_hour(day)
    rules = rules_by_symbol()
    for row in rows(day, "funding_rates"):
        rule = rules[(row["venue"], row["symbol"])]
        interval = int(rule.default_interval_hours)
        end = 24 + row["funding_ts"].hour
        mean = float(premium[(row["venue"], row["symbol"])][end - interval : end].mean())
        expected = _venue_formula(row["venue"], mean, rule.baseline_rate_8h) * interval / 8
        expected = min(max(expected, -rule.cap_rate), rule.cap_rate)
        assert row["rate"] == pytest.approx(expected, abs=2e-8), row


def test_binance_switches_to_hourly_after_hitting_its_cap_when_enabled():
    config = SimulationConfig(binance_hourly_after_cap=True)
    switched = [r for r in rows(UNWIND_START, "funding_rates", config) if r["venue"] == "binance"]
    eth = [r for r in switched if r["base_asset"] == "ETH"]
    assert len(eth) == 24 and {r["interval_hours"] for r in eth} == {1.0}
    default = [r for r in rows(UNWIND_START, "funding_rates") if r["venue"] == "binance"]
    assert len([r for r in default if r["base_asset"] == "ETH"]) == 3
    # a calm day is unaffected by the knob
    calm = day_tables(CALM_WEEK[0], 7, config)["funding_rates"]
    assert calm.equals(day_tables(CALM_WEEK[0])["funding_rates"])


# --- other exchange datasets -------------------------------------------------------------------


def test_candles_chain_across_days_and_perp_volume_exceeds_spot():
    day = date(2026, 10, 14)
    before = {(r["venue"], r["symbol"]): r for r in rows(day - timedelta(days=1), "ohlcv_daily")}
    today = rows(day, "ohlcv_daily")
    assert {r["market_type"] for r in today if r["venue"] in ("binance", "bybit", "okx")} == {
        "spot",
        "perp",
    }
    assert {r["market_type"] for r in today if r["venue"] in ("deribit", "hyperliquid")} == {"perp"}
    for row in today:
        assert row["open"] == pytest.approx(
            before[(row["venue"], row["symbol"])]["close"], rel=1e-12
        )
        assert (
            row["low"]
            <= min(row["open"], row["close"])
            <= max(row["open"], row["close"])
            <= row["high"]
        )
    for asset in ("ETH", "BTC"):
        perp = sum(
            r["volume_base"]
            for r in today
            if r["base_asset"] == asset and r["market_type"] == "perp"
        )
        spot = sum(
            r["volume_base"]
            for r in today
            if r["base_asset"] == asset and r["market_type"] == "spot"
        )
        assert perp > 3 * spot


def test_open_interest_is_consistent_and_long_short_only_where_published():
    day = date(2026, 11, 20)
    closes = {
        r["base_asset"]: r["close"]
        for r in rows(day, "ohlcv_daily")
        if r["venue"] == "binance" and r["market_type"] == "spot"
    }
    oi = rows(day, "open_interest")
    assert {r["kind"] for r in oi} == {"perp", "dated"}
    for row in oi:
        assert row["oi_usd"] == pytest.approx(row["oi_base"] * closes[row["base_asset"]], rel=0.03)
    assert {r["venue"] for r in oi if r["kind"] == "perp"} == {r.venue for r in venue_rules()}
    assert {r["venue"] for r in rows(day, "long_short_ratio")} == {"binance", "bybit", "okx"}
    for row in rows(day, "long_short_ratio"):
        share = row["long_account_share"]
        assert row["long_short_ratio"] == pytest.approx(share / (1 - share), abs=1e-3)


def test_dated_futures_follow_the_expiry_calendars():
    day = date(2026, 11, 20)
    symbols: dict[str, set[str]] = {}
    for row in rows(day, "dated_futures"):
        symbols.setdefault(row["venue"], set()).add(row["symbol"])
        expiry = row["expiry_ts"]
        assert expiry.weekday() == 4 and expiry.hour == 8, row
        assert expiry > row["ts"]
    assert {s for s in symbols["binance"] if s.startswith("BTC")} == {
        "BTC/USDT:USDT-261225",
        "BTC/USDT:USDT-270326",
    }
    assert {s for s in symbols["okx"] if s.startswith("ETH")} == {
        "ETH/USDT:USDT-261225",
        "ETH/USDT:USDT-270326",
    }
    deribit_btc = {s for s in symbols["deribit"] if s.startswith("BTC")}
    assert {
        "BTC/USD:BTC-261127",
        "BTC/USD:BTC-261225",
        "BTC/USD:BTC-270326",
        "BTC/USD:BTC-270625",
    } <= deribit_btc
    # the December quarterly expires at 08:00 on 2026-12-25: gone from that day's close on
    after = {r["symbol"] for r in rows(date(2026, 12, 25), "dated_futures")}
    assert "BTC/USDT:USDT-261225" not in after and "BTC/USDT:USDT-270625" in after


# --- reference datasets ------------------------------------------------------------------------


def test_cftc_rows_only_on_report_tuesdays_released_by_the_cftc_rule():
    """Fridays, except the Veterans Day week (Wednesday 2026-11-11): the following Monday."""
    names = {
        "133741": ("BITCOIN - CHICAGO MERCANTILE EXCHANGE", 5.0),
        "133742": ("MICRO BITCOIN - CHICAGO MERCANTILE EXCHANGE", 0.1),
        "146021": ("ETHER CASH SETTLED - CHICAGO MERCANTILE EXCHANGE", 50.0),
        "146022": ("MICRO ETHER  - CHICAGO MERCANTILE EXCHANGE", 0.1),
    }
    for offset in range(14):
        day = date(2026, 11, 9) + timedelta(days=offset)
        cftc = rows(day, "cftc_tff")
        if day.weekday() != 1:
            assert cftc == []
            continue
        assert {r["cftc_contract_market_code"] for r in cftc} == set(names)
        for row in cftc:
            assert row["report_date"] == day
            assert row["release_date"] == {
                date(2026, 11, 10): date(2026, 11, 16),
                date(2026, 11, 17): date(2026, 11, 20),
            }[day]
            name, units = names[row["cftc_contract_market_code"]]
            assert (row["market_name"], row["contract_units"]) == (name, units)
            longs = row["lev_money_long"] + row["asset_mgr_long"] + row["dealer_long"]
            shorts = row["lev_money_short"] + row["asset_mgr_short"] + row["dealer_short"]
            assert row["open_interest_all"] >= max(longs, shorts)


def test_cme_leveraged_shorts_grow_in_the_build_up_and_fall_in_the_unwind():
    def lev_short(day: date) -> float:
        return sum(
            r["lev_money_short"]
            for r in rows(day, "cftc_tff")
            if r["cftc_contract_market_code"] == "133741"
        )

    assert lev_short(date(2026, 8, 4)) < lev_short(date(2026, 11, 3))
    assert lev_short(date(2026, 11, 17)) < lev_short(date(2026, 11, 3))


def test_etf_flows_only_on_us_trading_days():
    for offset in range(14):
        day = date(2026, 11, 16) + timedelta(days=offset)
        flows = rows(day, "etf_flows")
        if day.weekday() >= 5 or day == date(2026, 11, 26):  # weekend, Thanksgiving
            assert flows == []
        else:
            assert {r["ticker"] for r in flows if r["base_asset"] == "BTC"} >= {
                "IBIT",
                "GBTC",
                "BTC",
            }
            assert {r["ticker"] for r in flows if r["base_asset"] == "ETH"} >= {
                "ETHA",
                "ETHE",
                "ETH",
            }
            for row in flows:
                assert (row["flow_usd_m"] is None) == (not row["is_reported"])


def test_some_etf_cells_are_not_reported():
    unreported = reported = 0
    for offset in range(60):
        for row in rows(date(2026, 8, 3) + timedelta(days=offset), "etf_flows"):
            unreported += not row["is_reported"]
            reported += row["is_reported"]
    assert 0 < unreported < 0.06 * (reported + unreported)


def test_rates_every_day_with_weekend_fill():
    friday, saturday, sunday = date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22)
    by_day = {d: {r["series"]: r for r in rows(d, "rates")} for d in (friday, saturday, sunday)}
    for day, series in by_day.items():
        assert set(series) == {"usd_tbill_3m", "eth_staking_apr"}
        assert 0.04 <= series["usd_tbill_3m"]["value"] <= 0.045
        assert 0.028 <= series["eth_staking_apr"]["value"] <= 0.032
        assert series["eth_staking_apr"]["is_filled"] is False
        assert series["usd_tbill_3m"]["is_filled"] is (day != friday)
    assert by_day[sunday]["usd_tbill_3m"]["value"] == by_day[friday]["usd_tbill_3m"]["value"]


# --- the story ---------------------------------------------------------------------------------


def _mean_8h_rate(days: list[date], asset: str, venues: tuple[str, ...] | None = None) -> float:
    values = [
        rate_8h_equivalent(r)
        for d in days
        for r in rows(d, "funding_rates")
        if r["base_asset"] == asset and (venues is None or r["venue"] in venues)
    ]
    return float(np.mean(values))


def _perp_oi_usd(day: date, asset: str) -> float:
    return sum(
        r["oi_usd"]
        for r in rows(day, "open_interest")
        if r["base_asset"] == asset and r["kind"] == "perp"
    )


def _close(day: date, asset: str) -> float:
    table = day_tables(day)["ohlcv_daily"]
    mask = pc.and_(pc.equal(table["base_asset"], asset), pc.equal(table["market_type"], "spot"))
    return float(np.mean(table.filter(mask)["close"].to_numpy()))


def test_the_demo_window_tells_the_story():
    assert phase(DEMO_START) == "build_up"
    assert phase(UNWIND_START - timedelta(days=1)) == "compression"
    assert all(phase(d) == "unwind" for d in REPORT_WEEK)
    for asset in ("ETH", "BTC"):
        # crowded carry: funding above its baseline in late October ...
        assert _mean_8h_rate(LATE_OCTOBER, asset) > BASELINE_8H
        # ... negative in the report week
        assert _mean_8h_rate(REPORT_WEEK, asset) < 0
        assert _mean_8h_rate(REPORT_WEEK, asset, ("binance",)) < 0
        # open interest down at least 20 % from 1 November to 22 November
        assert _perp_oi_usd(date(2026, 11, 22), asset) <= 0.8 * _perp_oi_usd(
            date(2026, 11, 1), asset
        )
        # and a week-on-week fall of more than 10 % at the report week's end
        assert _perp_oi_usd(date(2026, 11, 22), asset) <= 0.9 * _perp_oi_usd(
            date(2026, 11, 15), asset
        )
        # price: a drawdown of 15-35 % from the eve of the unwind
        drawdown = 1 - _close(date(2026, 11, 22), asset) / _close(date(2026, 11, 8), asset)
        assert 0.15 <= drawdown <= 0.35, (asset, drawdown)
    assert _mean_8h_rate(LATE_OCTOBER, "ETH") > _mean_8h_rate(LATE_OCTOBER, "BTC")


def test_perp_trades_at_a_discount_in_the_unwind():
    for day in REPORT_WEEK:
        premia = [r["mark_price"] / r["index_price"] - 1 for r in rows(day, "premium_index")]
        assert np.mean(premia) < 0
    calm = [r["mark_price"] / r["index_price"] - 1 for r in rows(CALM_WEEK[0], "premium_index")]
    assert np.mean(calm) > 0


def test_prices_stay_in_realistic_ranges_over_a_year():
    for offset in range(0, 366, 7):
        day = date(2025, 11, 22) + timedelta(days=offset)
        assert 2400 <= _close(day, "ETH") <= 4700
        assert 60_000 <= _close(day, "BTC") <= 125_000


# --- knobs and speed ----------------------------------------------------------------------------


def test_extra_symbols_keep_the_base_assets_and_leave_the_main_rows_alone():
    config = SimulationConfig(extra_symbols_per_venue=2)
    day = date(2026, 11, 18)
    tables = day_tables(day, 7, config)
    symbols = set(tables["funding_rates"].column("symbol").to_pylist())
    assert "ETH/USDT:USDT-X1" in symbols and "BTC/USD:BTC-X2" in symbols
    assert len(symbols) == 3 * len({r.symbol for r in venue_rules()})
    for name, table in tables.items():
        _, rejected = landing.split_valid(DATASETS_BY_NAME[name], table)
        assert rejected.num_rows == 0, name
    main = tables["funding_rates"].filter(
        pc.invert(pc.match_substring(tables["funding_rates"]["symbol"], "-X"))
    )
    assert main.equals(day_tables(day)["funding_rates"])
    assert set(tables["long_short_ratio"].column("base_asset").to_pylist()) == {"ETH", "BTC"}


def test_config_is_validated():
    with pytest.raises(ValueError):
        SimulationConfig(extra_symbols_per_venue=-1)
    with pytest.raises(ValueError):
        SimulationConfig(cycle_days=30)


def test_a_day_is_fast():
    simulate_day(date(2025, 1, 1))
    days = [date(2025, 1, 2) + timedelta(days=i) for i in range(20)]
    started = time.perf_counter()
    for day in days:
        simulate_day(day)
    per_day = (time.perf_counter() - started) / len(days)
    assert per_day < 0.1, f"{per_day * 1000:.1f} ms per simulated day"


def test_tables_are_arrow_tables():
    assert all(isinstance(t, pa.Table) for t in day_tables(DEMO_END).values())
