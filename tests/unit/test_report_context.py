"""The SQL of ``build_report_context`` against hand-made marts (no dbt).

A temporary DuckDB gets the mart tables of ``docs/marts.md`` with only the columns the report
reads, filled with a few rows for two ISO weeks (2025-W13 and 2025-W14), so every value the
test expects can be computed by hand.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.weeks import last_complete_week
from reports.components import FRAGILITY_COMPONENTS
from reports.warehouse import (
    ReportDataMissingError,
    build_report_context,
    open_warehouse_readonly,
    week_bounds,
)

W13_END = date(2025, 3, 30)
W14_START, W14_END = date(2025, 3, 31), date(2025, 4, 6)
COMPONENT_COLUMNS = {
    f"{c.name}_{part}": "double"
    for c in FRAGILITY_COMPONENTS
    for part in ("value", "score", "weight", "contribution")
}

TABLES: dict[str, dict[str, str]] = {
    "fct_fragility_weekly": {
        "iso_week": "varchar", "week_start": "date", "week_end": "date", "base_asset": "varchar",
        "fragility_index": "double", "buildup_index": "double", "stress_index": "double",
        "regime": "varchar", "is_warming_up": "boolean", "components_present": "integer",
        "components_total": "integer", "rank_history_weeks": "integer",
        "min_history_weeks": "integer", "lookback_weeks": "integer",
        **COMPONENT_COLUMNS,
        "is_unwind_condition": "boolean", "unwind_reason": "varchar",
        "funding_apr_7d": "double", "carry_apr": "double", "oi_change_7d_pct": "double",
        "complete_days_in_week": "integer", "is_complete_week": "boolean",
    },
    "fct_fragility_daily": {
        "date": "date", "base_asset": "varchar", "fragility_index": "double",
        "buildup_index": "double", "stress_index": "double", "regime": "varchar",
    },
    "fct_funding_daily": {
        "date": "date", "venue": "varchar", "base_asset": "varchar", "realised_apr": "double",
        "realised_apr_7d": "double", "realised_apr_30d": "double", "days_covered_7d": "integer",
        "oi_usd": "double", "oi_weighted_apr": "double", "oi_weighted_apr_7d": "double",
    },
    "fct_funding_rates": {
        "venue": "varchar", "symbol": "varchar", "base_asset": "varchar", "source": "varchar",
        "funding_ts": "timestamptz", "rate": "double", "excess_rate": "double",
        "is_at_baseline": "boolean", "is_negative": "boolean", "is_at_cap": "boolean",
    },
    "fct_basis": {
        "date": "date", "venue": "varchar", "symbol": "varchar", "base_asset": "varchar",
        "kind": "varchar", "expiry_date": "date", "days_to_expiry": "double",
        "premium_or_basis": "double", "annualized_basis": "double",
        "discount_hours": "integer", "hours_observed": "integer",
    },
    "fct_basis_term_daily": {
        "date": "date", "base_asset": "varchar", "basis_cm30_apr": "double",
        "basis_cm90_apr": "double", "is_cm30_extrapolated": "boolean",
        "is_cm90_extrapolated": "boolean", "contracts_used": "integer",
    },
    "fct_carry_daily": {
        "date": "date", "base_asset": "varchar", "funding_apr_7d": "double",
        "staking_apr": "double", "hurdle_apr": "double", "basis_cm30_apr": "double",
        "carry_apr": "double", "premium_7d": "double", "is_carry_below_hurdle": "boolean",
        "is_funding_negative": "boolean", "is_perp_discount": "boolean",
        "is_unwind_condition": "boolean", "unwind_reason": "varchar",
    },
    "fct_open_interest_daily": {
        "date": "date", "venue": "varchar", "base_asset": "varchar", "kind": "varchar",
        "oi_usd": "double",
    },
    "fct_arbitrage_share": {
        "date": "date", "base_asset": "varchar", "cftc_report_date": "date",
        "reference_price_usd": "double", "oi_perp_usd": "double", "oi_dated_usd": "double",
        "oi_cme_usd": "double", "total_oi_usd": "double", "cme_lev_net_short_usd": "double",
        "cme_lev_gross_short_usd": "double", "synthetic_dollar_hedge_usd": "double",
        "arb_share_low": "double", "arb_share_high": "double", "arb_share_mid": "double",
        "components": "varchar",
    },
    "fct_market_daily": {
        "date": "date", "base_asset": "varchar", "reference_price_usd": "double",
        "price_change_7d_pct": "double", "price_change_30d_pct": "double",
        "oi_usd_total": "double", "oi_change_7d_pct": "double", "oi_change_30d_pct": "double",
        "leverage_buildup_7d": "double", "long_short_ratio": "double",
        "perp_spot_volume_ratio": "double",
    },
    "fct_etf_flows_daily": {
        "date": "date", "base_asset": "varchar", "net_flow_usd_m": "double",
        "tickers_missing": "integer", "cumulative_flow_usd_m": "double",
    },
    "fct_data_coverage_daily": {
        "date": "date", "venue": "varchar", "base_asset": "varchar", "dataset": "varchar",
        "status": "varchar", "rows": "bigint", "expected": "bigint", "message": "varchar",
        "is_complete": "boolean",
    },
}

# The warehouse emits each component's effective weight and points; this hand-made mart gives
# them as (score, weight). ETH W14 points = 100 x weight x score: leverage 0.15 x 0.90 = 13.5,
# carry compression 0.15 x 0.71 = 10.65, arb share 0.15 x 0.62 = 9.3, then crowding 8.5,
# negative funding 8.25, carry below hurdle 7.6, perp discount 6.0 -> index 63.8.
ETH_SCORES = {
    "carry_compression": (0.71, 0.15), "carry_below_hurdle": (0.38, 0.20),
    "negative_funding": (0.55, 0.15), "perp_discount": (0.60, 0.10),
    "leverage_buildup": (0.90, 0.15), "crowding": (0.85, 0.10), "arb_share": (0.62, 0.15),
}
# BTC W14: crowding unknown; the mart re-weighted the other six over 0.90.
BTC_SCORES = {
    "carry_compression": (0.29, 0.15 / 0.9), "carry_below_hurdle": (0.52, 0.20 / 0.9),
    "negative_funding": (0.40, 0.15 / 0.9), "perp_discount": (0.48, 0.10 / 0.9),
    "leverage_buildup": (0.35, 0.15 / 0.9), "crowding": None, "arb_share": (0.47, 0.15 / 0.9),
}


def _insert(conn: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    cols = list(TABLES[table])
    placeholders = ", ".join("?" for _ in cols)
    conn.executemany(
        f"insert into main.{table} ({', '.join(cols)}) values ({placeholders})",
        [[row.get(c) for c in cols] for row in rows],
    )


def _fragility_row(iso_week: str, start: date, asset: str, index: float, scores: dict,
                   regime: str) -> dict:
    row = {
        "iso_week": iso_week, "week_start": start, "week_end": start + timedelta(days=6),
        "base_asset": asset, "fragility_index": index, "regime": regime,
        "buildup_index": None if index is None else index + 10,
        "stress_index": None if index is None else index - 10,
        "is_warming_up": False, "components_total": len(FRAGILITY_COMPONENTS),
        "components_present": sum(1 for v in scores.values() if v is not None),
        "rank_history_weeks": 60, "min_history_weeks": 52, "lookback_weeks": 52,
        "is_unwind_condition": False, "unwind_reason": "", "funding_apr_7d": 0.12,
        "carry_apr": 0.09, "oi_change_7d_pct": 0.05, "complete_days_in_week": 7,
        "is_complete_week": True,
    }
    for name, given in scores.items():
        score, weight = given if given is not None else (None, None)
        row[f"{name}_score"] = score
        row[f"{name}_value"] = None if score is None else round(score / 10, 4)
        row[f"{name}_weight"] = weight
        row[f"{name}_contribution"] = None if score is None else 100 * weight * score
    return row


def _ts(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def fill_warehouse(conn: duckdb.DuckDBPyConnection, source: str = "simulated") -> None:
    """Create the marts and fill two weeks of hand-made rows."""
    for table, columns in TABLES.items():
        body = ", ".join(f"{name} {dtype}" for name, dtype in columns.items())
        conn.execute(f"create table main.{table} ({body})")

    _insert(conn, "fct_fragility_weekly", [
        _fragility_row("2025-W13", date(2025, 3, 24), "ETH", 57.9, ETH_SCORES, "crowded carry"),
        _fragility_row("2025-W13", date(2025, 3, 24), "BTC", 44.0, BTC_SCORES, "calm"),
        _fragility_row("2025-W14", W14_START, "ETH", 63.8, ETH_SCORES, "crowded carry"),
        _fragility_row("2025-W14", W14_START, "BTC", 42.1, BTC_SCORES, "calm"),
    ])
    _insert(conn, "fct_fragility_daily", [
        {"date": date(2025, 4, 5), "base_asset": "ETH", "fragility_index": 61.0,
         "buildup_index": 70.0, "stress_index": 52.0, "regime": "crowded carry"},
        {"date": date(2025, 4, 6), "base_asset": "ETH", "fragility_index": 63.8,
         "buildup_index": 73.8, "stress_index": 53.8, "regime": "crowded carry"},
        {"date": date(2025, 3, 30), "base_asset": "ETH", "fragility_index": 57.9,
         "buildup_index": 67.9, "stress_index": 47.9, "regime": "crowded carry"},
    ])

    daily = []
    for i in range(14):  # 2025-03-24 .. 2025-04-06
        day = date(2025, 3, 24) + timedelta(days=i)
        for venue, asset, apr in (("binance", "ETH", 0.10), ("okx", "ETH", 0.08),
                                  ("binance", "BTC", 0.09)):
            daily.append({
                "date": day, "venue": venue, "base_asset": asset,
                "realised_apr": apr + i / 1000, "realised_apr_7d": apr + i / 2000,
                "realised_apr_30d": apr, "days_covered_7d": 7, "oi_usd": 1e9 * (1 + i / 100),
                "oi_weighted_apr": apr + 0.01, "oi_weighted_apr_7d": apr + 0.005,
            })
    # deribit ETH stops on Saturday: its latest funding day is 2025-04-05.
    daily.append({"date": date(2025, 4, 5), "venue": "deribit", "base_asset": "ETH",
                  "realised_apr": 0.05, "realised_apr_7d": 0.06, "realised_apr_30d": 0.07,
                  "days_covered_7d": 6, "oi_usd": 2e8, "oi_weighted_apr": 0.11,
                  "oi_weighted_apr_7d": 0.105})
    _insert(conn, "fct_funding_daily", daily)

    rates = []
    # binance ETH in W14: 21 settlements at 0.0001 (baseline, excess 0) except 3 at 0.0003
    # (excess 0.0002) and 1 negative at -0.00005 (excess -0.00015).
    for i in range(21):
        day = W14_START + timedelta(days=i // 3)
        rate, excess = 0.0001, 0.0
        if i in (2, 5, 8):
            rate, excess = 0.0003, 0.0002
        if i == 20:
            rate, excess = -0.00005, -0.00015
        rates.append({"venue": "binance", "symbol": "ETH/USDT:USDT", "base_asset": "ETH",
                      "source": source, "funding_ts": _ts(day, 8 * (i % 3)), "rate": rate,
                      "excess_rate": excess, "is_at_baseline": excess == 0.0,
                      "is_negative": rate < 0, "is_at_cap": False})
    # Outside the week on both sides (must not count): Sunday 23:00 of W13, Monday 00:00 W15.
    for ts in (_ts(W13_END, 23), _ts(W14_END + timedelta(days=1), 0)):
        rates.append({"venue": "binance", "symbol": "ETH/USDT:USDT", "base_asset": "ETH",
                      "source": "simulated", "funding_ts": ts, "rate": 0.003,
                      "excess_rate": 0.0029, "is_at_baseline": False, "is_negative": False,
                      "is_at_cap": True})
    _insert(conn, "fct_funding_rates", rates)

    basis = []
    for i in range(7):
        day = W14_START + timedelta(days=i)
        basis.append({"date": day, "venue": "binance", "symbol": "ETH/USDT:USDT",
                      "base_asset": "ETH", "kind": "perp", "premium_or_basis": 0.0001 * i,
                      "discount_hours": 2, "hours_observed": 24})
    for dte, ann in ((5, None), (19, 0.075), (82, 0.08)):
        basis.append({"date": W14_END, "venue": "deribit", "symbol": f"ETH-{dte}",
                      "base_asset": "ETH", "kind": "dated",
                      "expiry_date": W14_END + timedelta(days=dte), "days_to_expiry": float(dte),
                      "premium_or_basis": 0.001 * dte, "annualized_basis": ann})
    basis.append({"date": W14_END - timedelta(days=1), "venue": "deribit", "symbol": "ETH-OLD",
                  "base_asset": "ETH", "kind": "dated", "expiry_date": W14_END,
                  "days_to_expiry": 20.0, "premium_or_basis": 0.01, "annualized_basis": 0.2})
    _insert(conn, "fct_basis", basis)

    _insert(conn, "fct_basis_term_daily", [
        {"date": W14_END, "base_asset": "ETH", "basis_cm30_apr": 0.0771,
         "basis_cm90_apr": 0.0815, "is_cm30_extrapolated": False, "is_cm90_extrapolated": True,
         "contracts_used": 2},
    ])
    carry = []
    for asset, carry_apr in (("ETH", 0.1119), ("BTC", -0.01)):
        for day in (W14_END - timedelta(days=1), W14_END):
            carry.append({
                "date": day, "base_asset": asset, "funding_apr_7d": 0.1262,
                "staking_apr": 0.0288 if asset == "ETH" else 0.0, "hurdle_apr": 0.0431,
                "basis_cm30_apr": 0.0331, "carry_apr": carry_apr, "premium_7d": 0.0002,
                "is_carry_below_hurdle": carry_apr <= 0, "is_funding_negative": False,
                "is_perp_discount": False, "is_unwind_condition": carry_apr <= 0,
                "unwind_reason": "carry below hurdle" if carry_apr <= 0 else "",
            })
    _insert(conn, "fct_carry_daily", carry)
    _insert(conn, "fct_open_interest_daily", [
        {"date": W14_END, "venue": "binance", "base_asset": "ETH", "kind": "perp",
         "oi_usd": 9.81e9},
        {"date": W14_END - timedelta(days=7), "venue": "binance", "base_asset": "ETH",
         "kind": "perp", "oi_usd": 9.0e9},
        {"date": W14_END, "venue": "cme", "base_asset": "ETH", "kind": "cme", "oi_usd": 3.9e9},
    ])
    _insert(conn, "fct_arbitrage_share", [
        {"date": W14_END, "base_asset": "ETH", "cftc_report_date": date(2025, 3, 18),
         "reference_price_usd": 1812.4, "oi_perp_usd": 9.81e9, "oi_dated_usd": 0.0,
         "oi_cme_usd": 3.9e9, "total_oi_usd": 13.71e9, "cme_lev_net_short_usd": 2e9,
         "cme_lev_gross_short_usd": 4e9, "synthetic_dollar_hedge_usd": 0.0,
         "arb_share_low": 2 / 13.71, "arb_share_high": 4 / 13.71, "arb_share_mid": 3 / 13.71,
         "components": "cme_lev_funds"},
    ])
    _insert(conn, "fct_market_daily", [
        {"date": W14_END, "base_asset": "ETH", "reference_price_usd": 1812.4,
         "price_change_7d_pct": -0.04, "price_change_30d_pct": -0.12, "oi_usd_total": 13.71e9,
         "oi_change_7d_pct": 0.08, "oi_change_30d_pct": 0.15, "leverage_buildup_7d": 0.12,
         "long_short_ratio": 2.3, "perp_spot_volume_ratio": 6.8},
    ])
    etf = []
    for i, flow in enumerate((10.0, -4.0, 20.5, None, 3.5)):  # Mon..Fri of W14
        etf.append({"date": W14_START + timedelta(days=i), "base_asset": "ETH",
                    "net_flow_usd_m": flow, "tickers_missing": 9 if flow is None else 0,
                    "cumulative_flow_usd_m": 1000.0 + i})
    etf.append({"date": date(2025, 3, 28), "base_asset": "ETH", "net_flow_usd_m": -7.0,
                "tickers_missing": 0, "cumulative_flow_usd_m": 990.0})
    _insert(conn, "fct_etf_flows_daily", etf)
    coverage = [  # every W14 day of binance ETH funding ok; deribit ETH funding gone on Sunday
        {"date": W14_START + timedelta(days=i), "venue": "binance", "base_asset": "ETH",
         "dataset": "funding_rates", "status": "ok", "rows": 3, "expected": 3, "message": "",
         "is_complete": True} for i in range(7)
    ] + [
        {"date": W14_END, "venue": "deribit", "base_asset": "ETH", "dataset": "funding_rates",
         "status": "failed", "rows": 0, "expected": 3, "message": "HTTP 503",
         "is_complete": False},
        # okx BTC candles short on Tue and Wed (one run), missing on Friday (another)
        *({"date": W14_START + timedelta(days=d), "venue": "okx", "base_asset": "BTC",
           "dataset": "ohlcv_daily", "status": "partial", "rows": 1, "expected": 2,
           "message": "short: BTC/USDT 0/1", "is_complete": False} for d in (1, 2)),
        {"date": W14_START + timedelta(days=4), "venue": "okx", "base_asset": "BTC",
         "dataset": "ohlcv_daily", "status": "partial", "rows": 1, "expected": 2,
         "message": "short: BTC/USDT:USDT 0/1", "is_complete": False},
        # outside the week: not listed
        {"date": W13_END, "venue": "okx", "base_asset": "ETH", "dataset": "funding_rates",
         "status": "missing", "rows": 0, "expected": 3, "message": "no rows landed",
         "is_complete": False},
    ]
    _insert(conn, "fct_data_coverage_daily", coverage)


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as conn:
        fill_warehouse(conn)
    return path


@pytest.fixture
def context(warehouse: Path):
    conn = open_warehouse_readonly(warehouse)
    try:
        return build_report_context(conn, "2025-W14")
    finally:
        conn.close()


def test_week_helpers():
    assert week_bounds("2025-W14") == (W14_START, W14_END)
    assert week_bounds("2026-W53") == (date(2026, 12, 28), date(2027, 1, 3))
    assert last_complete_week(date(2025, 4, 7)) == "2025-W14"  # Monday: last week
    assert last_complete_week(date(2025, 4, 6)) == "2025-W14"  # its Sunday completes it
    assert last_complete_week(date(2025, 4, 5)) == "2025-W13"
    with pytest.raises(ValueError, match="2026-W47"):
        week_bounds("2025-14")


def test_index_change_and_contributors(context):
    eth, btc = context.assets
    assert (eth.base_asset, btc.base_asset) == ("ETH", "BTC")
    assert eth.fragility_index == pytest.approx(63.8)
    assert eth.previous_index == pytest.approx(57.9)
    assert eth.previous_iso_week == "2025-W13"
    assert eth.index_change == pytest.approx(5.9)
    assert btc.index_change == pytest.approx(-1.9)
    assert [c.name for c in eth.top_contributors] == [
        "leverage_buildup", "carry_compression", "arb_share",
    ]
    assert [round(c.contribution, 2) for c in eth.top_contributors] == [13.5, 10.65, 9.3]
    assert sum(c.contribution or 0.0 for c in eth.components) == pytest.approx(63.8, abs=0.05)
    crowding = next(c for c in btc.components if c.name == "crowding")
    assert crowding.score is None and crowding.contribution is None
    below = next(c for c in btc.components if c.name == "carry_below_hurdle")
    assert below.effective_weight == pytest.approx(0.20 / 0.90)  # the mart's, not recomputed
    assert (eth.buildup_index, eth.stress_index) == (pytest.approx(73.8), pytest.approx(53.8))
    assert eth.components_present == 7 and eth.components_total == len(FRAGILITY_COMPONENTS)
    assert (eth.rank_history_weeks, eth.min_history_weeks, eth.lookback_weeks) == (60, 52, 52)
    assert [d.fragility_index for d in eth.daily] == [61.0, 63.8]


def test_funding_row_uses_sunday_and_the_weeks_settlements(context):
    row = next(r for r in context.funding if (r.venue, r.base_asset) == ("binance", "ETH"))
    assert row.latest_date == W14_END
    assert row.realised_apr_1d == pytest.approx(0.10 + 13 / 1000)
    assert row.realised_apr_7d == pytest.approx(0.10 + 13 / 2000)
    assert row.realised_apr_30d == pytest.approx(0.10)
    assert row.oi_usd == pytest.approx(1.13e9)
    # The two settlements outside the week are excluded: 21, not 23.
    assert row.settlements == 21
    assert row.excess_apr_7d == pytest.approx((3 * 0.0002 - 0.00015) * 365 / 7)
    assert row.share_at_baseline == pytest.approx(17 / 21)
    assert row.share_negative == pytest.approx(1 / 21)
    assert row.share_at_cap == 0.0
    late = next(r for r in context.funding if r.venue == "deribit")
    assert late.latest_date == date(2025, 4, 5)
    assert late.settlements is None  # no settlements in fct_funding_rates for deribit
    assert [r.venue for r in context.funding if r.base_asset == "ETH"] == [
        "binance", "deribit", "okx",
    ]


def test_basis_carry_oi_arbitrage_and_etf(context):
    perp = context.perp_premium[0]
    assert perp.discount_hours == 14 and perp.hours_observed == 168
    assert perp.mean_premium == pytest.approx(0.0003)
    assert perp.min_premium == pytest.approx(0.0)
    # Only the last observation of the week: the Saturday contract is left out.
    assert [(r.days_to_expiry, r.annualized_basis) for r in context.dated_basis] == [
        (5, None), (19, 0.075), (82, 0.08),
    ]
    assert context.basis_term[0].is_cm90_extrapolated is True
    eth_carry, btc_carry = context.carry
    assert eth_carry.observed_on == W14_END and eth_carry.carry_apr == pytest.approx(0.1119)
    assert btc_carry.is_unwind_condition is True
    assert btc_carry.unwind_reason == "carry below hurdle"
    binance = next(r for r in context.open_interest if r.venue == "binance")
    assert binance.oi_usd_week_ago == pytest.approx(9.0e9)
    assert binance.change_pct == pytest.approx(9.81 / 9.0 - 1)
    cme = next(r for r in context.open_interest if r.venue == "cme")
    assert cme.oi_usd_week_ago is None
    assert context.arbitrage[0].arb_share_mid == pytest.approx(3 / 13.71)
    w14 = context.etf_week("ETH")
    assert w14 is not None
    assert w14.net_flow_usd_m == pytest.approx(30.0)
    assert w14.days_reported == 4 and w14.ticker_days_missing == 9
    assert w14.cumulative_flow_usd_m == pytest.approx(1004.0)
    w13 = next(e for e in context.etf_flows if e.iso_week == "2025-W13")
    assert w13.net_flow_usd_m == pytest.approx(-7.0)


def test_histories_synthetic_flag_and_notes(context, warehouse):
    eth_hist = context.funding_history[0]
    assert eth_hist.base_asset == "ETH"
    assert eth_hist.points[-1].day == W14_END
    assert eth_hist.points[-1].apr_1d == pytest.approx(0.11)  # one value per date and asset
    assert [p.iso_week for p in context.fragility_history[0].points] == ["2025-W13", "2025-W14"]
    assert context.is_synthetic is True
    assert context.generated_from == str(warehouse)
    texts = " | ".join(n.text for n in context.notes)
    assert "deribit ETH: latest funding day 2025-04-05" in texts
    assert "simulator" in texts
    assert "CFTC positions as of 2025-03-18" in texts
    assert "BTC: index from 6 of 14 components; unknown (no input data): " in texts
    assert "long/short crowding" in texts


def test_incomplete_week_renders_unscored_with_a_warning(warehouse):
    """The warehouse ends on Monday 2025-04-07: W15 is a one-day week, kept unscored (null
    index, regime 'incomplete week'). Its context builds, says why, and W14 is unaffected."""
    with duckdb.connect(str(warehouse)) as conn:
        _insert(conn, "fct_fragility_weekly", [
            {**_fragility_row("2025-W15", W14_END + timedelta(days=1), asset, None,
                              dict.fromkeys(ETH_SCORES), "incomplete week"),
             "complete_days_in_week": 0, "is_complete_week": False}
            for asset in ("ETH", "BTC")
        ])
    conn = open_warehouse_readonly(warehouse)
    try:
        w15 = build_report_context(conn, "2025-W15")
        w14 = build_report_context(conn, "2025-W14")
    finally:
        conn.close()
    eth = w15.asset("ETH")
    assert eth is not None and eth.fragility_index is None and eth.index_change is None
    assert eth.regime == "incomplete week" and eth.is_complete_week is False
    assert eth.previous_index == pytest.approx(63.8)
    texts = " | ".join(n.text for n in w15.notes)
    assert "ETH: 2025-W15 has complete funding on 0 of 7 days, so it is not scored" in texts
    assert "unknown (no input data)" not in texts  # not the partial-index note: no index
    assert [p.fragility_index for p in w15.fragility_history[0].points] == [57.9, 63.8, None]
    assert w14.asset("ETH").is_complete_week is True
    assert not any("not scored" in n.text for n in w14.notes)


def test_not_synthetic_when_no_simulated_rows_in_window(tmp_path):
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    try:
        fill_warehouse(conn, source="ccxt:binance")
        # The two simulated settlements sit just outside the week and the 90-day window ends
        # on Sunday: the Monday 00:00 one must not count. Session time zone must not matter.
        conn.execute("delete from main.fct_funding_rates where funding_ts < '2025-03-31'")
        conn.execute("set TimeZone = 'America/New_York'")
        ctx = build_report_context(conn, "2025-W14")
    finally:
        conn.close()
    assert ctx.is_synthetic is False
    assert not any("simulator" in n.text for n in ctx.notes)
    binance = next(r for r in ctx.funding if (r.venue, r.base_asset) == ("binance", "ETH"))
    assert binance.settlements == 21


def test_missing_week_raises_clearly(warehouse):
    conn = open_warehouse_readonly(warehouse)
    try:
        with pytest.raises(ReportDataMissingError, match="2024-W01"):
            build_report_context(conn, "2024-W01")
    finally:
        conn.close()


def test_open_warehouse_readonly(warehouse, tmp_path):
    conn = open_warehouse_readonly(warehouse)
    try:
        with pytest.raises(duckdb.Error):
            conn.execute("create table main.x (a integer)")
    finally:
        conn.close()
    with pytest.raises(FileNotFoundError):
        open_warehouse_readonly(tmp_path / "absent.duckdb")


def test_missing_venue_days_are_listed_as_runs_and_noted(context, warehouse):
    gaps = [(g.venue, g.base_asset, g.dataset, g.status, g.first_date, g.last_date, g.days,
             g.rows, g.expected, g.message) for g in context.coverage_gaps]
    assert gaps == [  # ETH first; consecutive days of one status folded
        ("deribit", "ETH", "funding_rates", "failed", W14_END, W14_END, 1, 0, 3, "HTTP 503"),
        ("okx", "BTC", "ohlcv_daily", "partial", date(2025, 4, 1), date(2025, 4, 2), 2, 2, 4,
         "short: BTC/USDT 0/1"),
        ("okx", "BTC", "ohlcv_daily", "partial", date(2025, 4, 4), date(2025, 4, 4), 1, 1, 2,
         "short: BTC/USDT:USDT 0/1"),
    ]
    texts = " | ".join(n.text for n in context.notes)
    assert "4 venue-day(s) of configured data are not complete in 2025-W14 (deribit, okx)" in texts
    from reports.render import render_html

    html = render_html(context)
    assert "Missing venue-days" in html and "HTTP 503" in html
    assert "2025-04-01&ndash;2025-04-02 (2)" in html


def test_without_the_coverage_mart_coverage_is_unknown_not_complete(warehouse):
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("drop table main.fct_data_coverage_daily")
    conn = open_warehouse_readonly(warehouse)
    try:
        ctx = build_report_context(conn, "2025-W14")
    finally:
        conn.close()
    assert ctx.coverage_gaps is None
    assert any("which venue-days are missing is unknown" in n.text for n in ctx.notes)
