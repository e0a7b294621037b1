"""The report's liquidations section: read from hand-made marts, charted, flagged."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import duckdb
import pytest

from reports.liquidations import liquidation_chart
from reports.warehouse_liquidations import read_liquidation_section

WEEK = (date(2026, 11, 9), date(2026, 11, 15))


@pytest.fixture
def conn():
    c = duckdb.connect(":memory:")
    c.execute("""
        create table fct_liquidation_cascades_daily (date date, base_asset varchar,
            long_notional_usd double, short_notional_usd double, is_cascade boolean,
            z_score double, long_share_of_oi double);
        create table fct_market_daily (date date, base_asset varchar, reference_price_usd double);
        create table fct_liquidations_hourly (hour_at timestamptz, date date, venue varchar,
            base_asset varchar, side varchar, events bigint, notional_usd double,
            is_lower_bound boolean);
        create table fct_liquidations_daily (date date, venue varchar, base_asset varchar,
            side varchar, events bigint, notional_usd double, coverage_share double,
            is_lower_bound boolean);
    """)
    for offset in range(90):
        day = WEEK[1] - timedelta(days=offset)
        cascade = True if day == date(2026, 11, 9) else (None if offset > 80 else False)
        z = 9.0 if cascade else (None if cascade is None else 0.5)
        c.execute("insert into fct_liquidation_cascades_daily values (?, 'ETH', ?, ?, ?, ?, ?)",
                  [day, 5e8 if cascade else 5e6, 1e6, cascade, z, 0.02 if cascade else 0.0002])
        c.execute("insert into fct_liquidation_cascades_daily values (?, 'BTC', null, null, "
                  "null, null, null)", [day])
        c.execute("insert into fct_market_daily values (?, 'ETH', 3000)", [day])
    t = datetime(2026, 11, 9, 3, tzinfo=UTC)
    c.executemany("insert into fct_liquidations_hourly values (?, ?, ?, 'ETH', ?, ?, ?, ?)", [
        [t, t.date(), "binance", "long", 50, 9e6, True],
        [t + timedelta(hours=1), t.date(), "bybit", "long", 80, 12e6, False],
        [t - timedelta(days=3), (t - timedelta(days=3)).date(), "bybit", "long", 99, 99e6, False],
    ])
    for offset in range(7):
        day = WEEK[0] + timedelta(days=offset)
        c.execute("insert into fct_liquidations_daily values (?, 'bybit', 'ETH', 'long', 3, 100,"
                  " 1.0, false)", [day])
        known = offset < 5
        c.execute("insert into fct_liquidations_daily values (?, 'okx', 'ETH', 'long', ?, ?, ?, ?)",
                  [day, 2 if known else None, 50 if known else None, 0.5 if known else None,
                   True if known else None])
    return c


def test_section_reads_cascades_hours_and_coverage(conn):
    section = read_liquidation_section(conn, *WEEK)
    assert section is not None and section.has_data
    eth, btc = section.cascade_for("ETH"), section.cascade_for("BTC")
    assert (eth.is_cascade, eth.day, eth.z_score) == (True, date(2026, 11, 9), 9.0)
    assert btc.is_cascade is None and btc.day is None  # nothing known: n/a, not "clear"
    # the week's largest hours, largest first; the 99 m hour of the week before is not in it
    assert [(h.venue, h.notional_usd) for h in section.top_hours] == [
        ("bybit", 12e6), ("binance", 9e6)]
    cov = {c.venue: c for c in section.coverage}
    assert (cov["bybit"].days_known, cov["bybit"].coverage_share) == (7, 1.0)
    okx = cov["okx"]
    assert (okx.days_known, okx.days_in_week, okx.coverage_share) == (5, 7, 0.5)
    assert [h.base_asset for h in section.histories] == ["ETH", "BTC"]
    assert len(section.histories[0].points) == 90


def test_chart_marks_cascade_days_and_skips_unknown_assets(conn):
    section = read_liquidation_section(conn, *WEEK)
    svg = liquidation_chart(section.histories)
    assert "cascade day" in svg and "ETH US$ m" in svg
    assert "BTC US$ m" not in svg  # no known day: not drawn as zeros


def test_no_marts_no_section():
    assert read_liquidation_section(duckdb.connect(":memory:"), *WEEK) is None
