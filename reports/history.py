"""Daily histories behind the report's history charts, as plain frozen data.

One :class:`ReportHistory` per report (``ReportContext.history``): the warehouse reader
(``reports/warehouse_history.py``) fills it from the marts, the charts module
(:mod:`reports.charts_history`) draws it. Units follow the marts contract (decimal fractions,
US dollars, US$ millions for ETF flows); ``None`` is unknown and is drawn as a gap, never as
zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class MarketPoint:
    """One day of an asset's reference price and long/short account ratio (``fct_market_daily``)."""

    day: date
    base_asset: str
    price_usd: float | None
    long_short_ratio: float | None


@dataclass(frozen=True, slots=True)
class OpenInterestPoint:
    """One day of open interest notional on one venue and contract kind."""

    day: date
    base_asset: str
    venue: str
    kind: str
    oi_usd: float | None


@dataclass(frozen=True, slots=True)
class ArbitragePoint:
    """One day of the arbitrage-share band and the notionals it is made of."""

    day: date
    base_asset: str
    arb_share_low: float | None
    arb_share_high: float | None
    arb_share_mid: float | None
    cme_lev_net_short_usd: float | None
    cme_lev_gross_short_usd: float | None
    synthetic_dollar_hedge_usd: float | None
    total_oi_usd: float | None


@dataclass(frozen=True, slots=True)
class BasisTermPoint:
    """One day of the 30- and 90-day constant-maturity annualised basis, with the hurdle."""

    day: date
    base_asset: str
    cm30_apr: float | None
    cm90_apr: float | None
    hurdle_apr: float | None


@dataclass(frozen=True, slots=True)
class EtfDay:
    """One trading day of US spot ETF net flow (US$ m) and the running total since the first
    day in the warehouse."""

    day: date
    base_asset: str
    net_flow_usd_m: float | None
    cumulative_flow_usd_m: float | None


@dataclass(frozen=True, slots=True)
class VenueFundingDay:
    """One day of realised funding (1-day APR) on one venue: a cell of the heatmap."""

    day: date
    base_asset: str
    venue: str
    realised_apr: float | None


@dataclass(frozen=True, slots=True)
class ReportHistory:
    """Daily histories ending on the report week's Sunday.

    Attributes:
        start / end: the daily window (``end`` is the week's Sunday).
        long_start: start of the long window of the hero chart's price line.
        first_etf_day: first day of ETF flows in the warehouse (what "cumulative" runs from).
    """

    start: date
    end: date
    long_start: date
    market: tuple[MarketPoint, ...] = ()
    open_interest: tuple[OpenInterestPoint, ...] = ()
    arbitrage: tuple[ArbitragePoint, ...] = ()
    basis_term: tuple[BasisTermPoint, ...] = ()
    etf: tuple[EtfDay, ...] = ()
    funding: tuple[VenueFundingDay, ...] = ()
    first_etf_day: date | None = None

    def market_for(self, asset: str, since: date | None = None) -> tuple[MarketPoint, ...]:
        """An asset's market days (from ``since``, default the daily window start)."""
        start = since or self.start
        return tuple(p for p in self.market if p.base_asset == asset and p.day >= start)
