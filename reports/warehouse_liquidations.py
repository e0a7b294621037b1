"""Read the liquidations section of one report week from the liquidation marts.

Beside ``warehouse.py`` (which calls it): only documented marts are read —
``fct_liquidations_daily``, ``fct_liquidations_hourly``, ``fct_liquidation_cascades_daily``
and ``fct_market_daily`` (reference price). A warehouse built before these marts existed gives
``None`` and the report leaves the section out rather than failing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import duckdb

from reports.liquidations import (
    CascadeFlag,
    LiquidationHistory,
    LiquidationHour,
    LiquidationPoint,
    LiquidationSection,
    VenueCoverage,
)

SCHEMA = "main"
HISTORY_DAYS = 90
TOP_HOURS = 6
MARTS = ("fct_liquidations_daily", "fct_liquidations_hourly", "fct_liquidation_cascades_daily")


def _rows(conn: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _has_marts(conn: duckdb.DuckDBPyConnection) -> bool:
    found = conn.execute(
        "select count(*) from information_schema.tables where table_schema = ? "
        "and table_name in (?, ?, ?)", [SCHEMA, *MARTS]
    ).fetchone()
    return bool(found) and found[0] == len(MARTS)


def _order(asset: str) -> tuple[int, str]:
    return ({"ETH": 0, "BTC": 1}.get(asset, 2), asset)


def read_liquidation_section(
    conn: duckdb.DuckDBPyConnection, week_start: date, week_end: date
) -> LiquidationSection | None:
    """The section for the week ``week_start``..``week_end`` (UTC days), or None."""
    if not _has_marts(conn):
        return None
    first = week_end - timedelta(days=HISTORY_DAYS - 1)
    daily = _rows(conn, f"""
        select c.date, c.base_asset, c.long_notional_usd, c.short_notional_usd, c.is_cascade,
               m.reference_price_usd
        from {SCHEMA}.fct_liquidation_cascades_daily as c
        left join {SCHEMA}.fct_market_daily as m
            on m.date = c.date and m.base_asset = c.base_asset
        where c.date between ? and ?
        order by c.base_asset, c.date
    """, [first, week_end])
    assets = sorted({r["base_asset"] for r in daily}, key=_order)
    histories = tuple(
        LiquidationHistory(asset, tuple(
            LiquidationPoint(r["date"], r["long_notional_usd"], r["short_notional_usd"],
                             r["reference_price_usd"], r["is_cascade"])
            for r in daily if r["base_asset"] == asset))
        for asset in assets
    )
    hours = _rows(conn, f"""
        select hour_at, base_asset, venue, side, events, notional_usd, is_lower_bound
        from {SCHEMA}.fct_liquidations_hourly
        where date between ? and ? and notional_usd > 0
        order by notional_usd desc, hour_at, venue, base_asset, side
        limit {TOP_HOURS}
    """, [week_start, week_end])
    top_hours = tuple(
        LiquidationHour(
            hour_at=r["hour_at"] if isinstance(r["hour_at"], datetime) else r["hour_at"],
            base_asset=r["base_asset"], venue=r["venue"], side=r["side"],
            events=int(r["events"]), notional_usd=float(r["notional_usd"]),
            is_lower_bound=bool(r["is_lower_bound"]),
        )
        for r in hours
    )
    coverage_rows = _rows(conn, f"""
        with venue_days as (
            select date, venue,
                   max(coverage_share) as coverage_share,
                   sum(events) as events,
                   sum(notional_usd) as notional_usd,
                   bool_or(is_lower_bound) as is_lower_bound,
                   bool_or(events is not null) as is_known
            from {SCHEMA}.fct_liquidations_daily
            where date between ? and ?
            group by date, venue
        )
        select venue,
               cast(count(*) filter (where is_known) as integer) as days_known,
               cast(count(*) as integer) as days_in_week,
               avg(coverage_share) as coverage_share,
               sum(events) as events,
               sum(notional_usd) as notional_usd,
               bool_or(is_lower_bound) as is_lower_bound
        from venue_days
        group by venue
        order by venue
    """, [week_start, week_end])
    coverage = tuple(
        VenueCoverage(
            venue=r["venue"], days_known=r["days_known"], days_in_week=r["days_in_week"],
            coverage_share=r["coverage_share"],
            events=None if r["events"] is None else int(r["events"]),
            notional_usd=r["notional_usd"], is_lower_bound=r["is_lower_bound"],
        )
        for r in coverage_rows
    )
    week = _rows(conn, f"""
        select date, base_asset, is_cascade, z_score, long_notional_usd, long_share_of_oi
        from {SCHEMA}.fct_liquidation_cascades_daily
        where date between ? and ?
        order by base_asset, is_cascade desc nulls last, z_score desc nulls last, date
    """, [week_start, week_end])
    cascades = []
    for asset in sorted({r["base_asset"] for r in week}, key=_order):
        rows = [r for r in week if r["base_asset"] == asset]
        judged = [r for r in rows if r["is_cascade"] is not None]
        best = rows[0]
        cascades.append(CascadeFlag(
            base_asset=asset,
            is_cascade=(any(r["is_cascade"] for r in judged) if judged else None),
            day=best["date"] if best["z_score"] is not None else None,
            z_score=best["z_score"],
            long_usd=best["long_notional_usd"] if best["z_score"] is not None else None,
            long_share_of_oi=best["long_share_of_oi"] if best["z_score"] is not None else None,
        ))
    return LiquidationSection(histories, top_hours, coverage, tuple(cascades))
