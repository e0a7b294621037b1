"""Read the daily histories of the report's history charts from the marts.

Kept apart from :mod:`reports.warehouse` (the week's values) so the two readers
stay small; the same contract applies: only the marts of ``docs/marts.md`` are read, every
history ends on the week's Sunday, nulls stay nulls.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import duckdb

from reports.history import (
    ArbitragePoint,
    BasisTermPoint,
    EtfDay,
    MarketPoint,
    OpenInterestPoint,
    ReportHistory,
    VenueFundingDay,
)

SCHEMA = "main"
#: Days of the daily history charts (the same window as the funding chart).
HISTORY_DAYS = 90
#: Days of price behind the hero chart (the index history's 52 weeks).
LONG_HISTORY_DAYS = 364


def _rows(conn: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    return conn.execute(sql, params).fetchall()


def _f(value: Any) -> float | None:
    return None if value is None else float(value)


def read_history(conn: duckdb.DuckDBPyConnection, week_end: date) -> ReportHistory:
    """The daily histories of the 90 days (price: 364 days) ending on ``week_end``."""
    start = week_end - timedelta(days=HISTORY_DAYS - 1)
    long_start = week_end - timedelta(days=LONG_HISTORY_DAYS - 1)
    market = tuple(
        MarketPoint(d, a, _f(p), _f(ls))
        for d, a, p, ls in _rows(
            conn,
            f"""select date, base_asset, reference_price_usd, long_short_ratio
                from {SCHEMA}.fct_market_daily where date between ? and ?
                order by base_asset, date""",
            [long_start, week_end],
        )
    )
    open_interest = tuple(
        OpenInterestPoint(d, a, v, k, _f(oi))
        for d, a, v, k, oi in _rows(
            conn,
            f"""select date, base_asset, venue, kind, oi_usd
                from {SCHEMA}.fct_open_interest_daily where date between ? and ?
                order by base_asset, kind, venue, date""",
            [start, week_end],
        )
    )
    arbitrage = tuple(
        ArbitragePoint(r[0], r[1], *(_f(v) for v in r[2:]))
        for r in _rows(
            conn,
            f"""select date, base_asset, arb_share_low, arb_share_high, arb_share_mid,
                       cme_lev_net_short_usd, cme_lev_gross_short_usd,
                       synthetic_dollar_hedge_usd, total_oi_usd
                from {SCHEMA}.fct_arbitrage_share where date between ? and ?
                order by base_asset, date""",
            [start, week_end],
        )
    )
    basis_term = tuple(
        BasisTermPoint(d, a, _f(c30), _f(c90), _f(h))
        for d, a, c30, c90, h in _rows(
            conn,
            f"""select t.date, t.base_asset, t.basis_cm30_apr, t.basis_cm90_apr, c.hurdle_apr
                from {SCHEMA}.fct_basis_term_daily as t
                left join {SCHEMA}.fct_carry_daily as c using (date, base_asset)
                where t.date between ? and ?
                order by t.base_asset, t.date""",
            [start, week_end],
        )
    )
    etf = tuple(
        EtfDay(d, a, _f(flow), _f(cum))
        for d, a, flow, cum in _rows(
            conn,
            f"""select date, base_asset, net_flow_usd_m, cumulative_flow_usd_m
                from {SCHEMA}.fct_etf_flows_daily where date between ? and ?
                order by base_asset, date""",
            [start, week_end],
        )
    )
    funding = tuple(
        VenueFundingDay(d, a, v, _f(apr))
        for d, a, v, apr in _rows(
            conn,
            f"""select date, base_asset, venue, realised_apr
                from {SCHEMA}.fct_funding_daily where date between ? and ?
                order by base_asset, venue, date""",
            [start, week_end],
        )
    )
    first_etf = _rows(conn, f"select min(date) from {SCHEMA}.fct_etf_flows_daily", [])
    return ReportHistory(
        start=start, end=week_end, long_start=long_start, market=market,
        open_interest=open_interest, arbitrage=arbitrage, basis_term=basis_term, etf=etf,
        funding=funding, first_etf_day=first_etf[0][0] if first_etf else None,
    )
