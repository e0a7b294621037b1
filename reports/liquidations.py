"""The report's liquidations section: its data (read by reports/warehouse_liquidations.py
from the liquidation marts) and its chart.

Four things per report: daily long vs short liquidation notional over the 90 days ending on the
week's Sunday with the reference price, the week's largest hours, the collector's coverage per
venue over the week (and which venues are lower bounds), and the cascade flag per asset for the
unwind checklist. Unknown stays unknown: a day without coverage is a gap in the bars, not a
zero bar, and a cascade flag is ``None`` ("n/a") when no day of the week could be judged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

LOWER_BOUND_CAVEAT = (
    "Binance's liquidation stream pushes at most one liquidation per symbol per second, so its "
    "totals (and any total including it) are lower bounds in a cascade; Bybit pushes every "
    "500 ms, OKX every order. Days or hours without a collector are unknown, not zero."
)


@dataclass(frozen=True, slots=True)
class LiquidationPoint:
    """One day of an asset's liquidations across venues (USD; None = unknown)."""

    day: date
    long_usd: float | None
    short_usd: float | None
    price_usd: float | None
    is_cascade: bool | None


@dataclass(frozen=True, slots=True)
class LiquidationHistory:
    base_asset: str
    points: tuple[LiquidationPoint, ...]


@dataclass(frozen=True, slots=True)
class LiquidationHour:
    """One of the week's largest venue-hours of liquidations on one side."""

    hour_at: datetime
    base_asset: str
    venue: str
    side: str
    events: int
    notional_usd: float
    is_lower_bound: bool


@dataclass(frozen=True, slots=True)
class VenueCoverage:
    """The collector's coverage of one venue over the report week."""

    venue: str
    days_known: int
    days_in_week: int
    coverage_share: float | None
    events: int | None
    notional_usd: float | None
    is_lower_bound: bool | None


@dataclass(frozen=True, slots=True)
class CascadeFlag:
    """The week's cascade check of one asset: any cascade day, else any judged day."""

    base_asset: str
    is_cascade: bool | None
    day: date | None
    z_score: float | None
    long_usd: float | None
    long_share_of_oi: float | None


@dataclass(frozen=True, slots=True)
class LiquidationSection:
    histories: tuple[LiquidationHistory, ...]
    top_hours: tuple[LiquidationHour, ...]
    coverage: tuple[VenueCoverage, ...]
    cascades: tuple[CascadeFlag, ...]
    caveat: str = LOWER_BOUND_CAVEAT

    def cascade_for(self, base_asset: str) -> CascadeFlag | None:
        return next((c for c in self.cascades if c.base_asset == base_asset), None)

    @property
    def has_data(self) -> bool:
        return any(p.long_usd is not None or p.short_usd is not None
                   for h in self.histories for p in h.points)


def liquidation_chart(histories: Sequence[LiquidationHistory]) -> str:
    """Per asset, daily long (down, red) and short (up, green) liquidation notional in US$ m
    over 90 days, the reference price on a second axis, cascade days marked; SVG."""
    from matplotlib.ticker import FuncFormatter

    from reports.chart_style import REFERENCE_COLOUR, _date_axis, _figure, _no_data, _to_svg

    drawn = [h for h in histories if any(p.long_usd is not None or p.short_usd is not None
                                         for p in h.points)]
    height = 1.75 * max(1, len(drawn))
    with _figure(height_in=height) as (fig, ax):
        if not drawn:
            _no_data(ax, "liquidations")
            return _to_svg(fig)
        fig.delaxes(ax)
        axes = fig.subplots(len(drawn), 1, sharex=True, squeeze=False)[:, 0]
        for hist, axis in zip(drawn, axes, strict=True):
            days = [p.day for p in hist.points]
            longs = [-(p.long_usd or 0.0) / 1e6 if p.long_usd is not None else float("nan")
                     for p in hist.points]
            shorts = [(p.short_usd or 0.0) / 1e6 if p.short_usd is not None else float("nan")
                      for p in hist.points]
            axis.bar(days, longs, width=0.8, color="#b03a2e", label="longs liquidated")
            axis.bar(days, shorts, width=0.8, color="#2e7d4f", label="shorts liquidated")
            cascade_days = [p.day for p in hist.points if p.is_cascade]
            for day in cascade_days:
                axis.axvline(day, color="#b03a2e", linestyle=(0, (1, 1.5)), linewidth=0.8)
            axis.axhline(0, color="#444444", linewidth=0.6)
            axis.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{abs(v):,.0f}"))
            axis.set_ylabel(f"{hist.base_asset} US$ m")
            price = axis.twinx()
            price.grid(False)
            price.spines["right"].set_visible(True)
            price.plot(days, [p.price_usd if p.price_usd is not None else float("nan")
                              for p in hist.points], color=REFERENCE_COLOUR, linewidth=1.0,
                       label=f"{hist.base_asset} price")
            price.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.0f}"))
            handles = axis.get_legend_handles_labels()[0] + price.get_legend_handles_labels()[0]
            labels = axis.get_legend_handles_labels()[1] + price.get_legend_handles_labels()[1]
            if cascade_days:
                from matplotlib.lines import Line2D

                handles.append(Line2D([], [], color="#b03a2e", linestyle=(0, (1, 1.5))))
                labels.append("cascade day")
            # above the panel, clear of bars and price line
            axis.legend(handles, labels, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=4,
                        fontsize=6.5, borderaxespad=0.2)
        _date_axis(axes[-1])
        return _to_svg(fig)
