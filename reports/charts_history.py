"""The history charts of the weekly note: vector SVG via matplotlib, same style as
:mod:`reports.charts` (figure helper, fonts, deterministic output).

Each function takes the context (or its :class:`~reports.history.ReportHistory`) and returns an
SVG string; :func:`render_history_charts` returns them as data URLs for the template. A series
without data is drawn as "no ... in the warehouse for this window", never as a zero line.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import TwoSlopeNorm
from matplotlib.dates import AutoDateLocator, DateFormatter
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from reports.chart_style import (
    _RC,
    REFERENCE_COLOUR,
    WIDTH_IN,
    _date_axis,
    _no_data,
    colour,
    svg_data_uri,
)
from reports.context import IndexHistory, ReportContext

#: Regime band colours (light tints of the badge colours of report.css).
REGIME_TINTS = {
    "calm": "#dfeee4",
    "crowded carry": "#f2e8c9",
    "unwind risk": "#f5dcc8",
    "unwinding": "#f3cccc",
    "reset": "#d9e3f0",
}
KIND_LABELS = {"perp": "perpetual", "dated": "dated", "cme": "CME"}
KIND_ORDER = ("perp", "dated", "cme")
VENUE_PALETTE = ("#1f4e79", "#4f81b0", "#8fb3d9", "#b06a00", "#d9a441", "#6b8e23", "#999999")


@dataclass(frozen=True, slots=True)
class HistoryCharts:
    """Data URLs of the history charts (empty string: nothing to draw, template says so)."""

    hero: str
    open_interest: str
    arbitrage: str
    basis_term: str
    long_short: str
    etf: str
    funding_heatmap: str


#: Fixed margins (fractions of the figure) for the panel grids: a constrained layout fits
#: labels by drawing the figure several times, which doubled the render time of these charts.
MARGINS = {"left": 0.085, "right": 0.9, "bottom": 0.14, "top": 0.88, "wspace": 0.5,
           "hspace": 0.6}


@contextmanager
def _panels(
    ncols: int, nrows: int = 1, height_in: float = 2.3, **margins: float
) -> Iterator[tuple[Figure, list[Axes]]]:
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(WIDTH_IN, height_in))
        FigureCanvasAgg(fig)
        axes = fig.subplots(nrows, ncols, squeeze=False)
        fig.subplots_adjust(**{**MARGINS, **margins})
        yield fig, [ax for row in axes for ax in row]


def _svg(fig: Figure) -> str:
    """The figure as SVG. The constrained layout already fits the labels, so no
    ``bbox_inches="tight"`` (which draws the figure a second time: half the chart time)."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


def _panel_dates(ax: Axes) -> None:
    """Date ticks for a half-width panel: at most four, day and month."""
    ax.xaxis.set_major_locator(AutoDateLocator(minticks=3, maxticks=4))
    ax.xaxis.set_major_formatter(DateFormatter("%d %b"))


def _usd_bn_axis(ax: Axes) -> None:
    # zero reads "0", not "$0": a dollar zero on the page would look like a placeholder
    ax.yaxis.set_major_formatter(FuncFormatter(
        lambda v, _p: "0" if v == 0 else f"${v:,.0f} bn" if abs(v) >= 10 else f"${v:,.1f} bn"))


def _pct_axis(ax: Axes, digits: int = 0) -> None:
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.{digits}f} %"))


def _price_axis(ax: Axes) -> Axes:
    twin = ax.twinx()
    twin.grid(False)
    twin.spines["right"].set_visible(True)
    twin.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"${v:,.0f}"))
    twin.tick_params(axis="y", labelsize=6.5, colors="#666666")
    return twin


def _nan(value: float | None, scale: float = 1.0) -> float:
    return float("nan") if value is None else scale * value


def _assets(ctx: ReportContext) -> tuple[str, ...]:
    return ctx.asset_names or ("ETH", "BTC")


def hero_chart(ctx: ReportContext) -> str:
    """Page 1: each asset's weekly index (line) over regime bands, price on the right axis."""
    hist = ctx.history
    assets = _assets(ctx)
    with _panels(len(assets), height_in=3.4, bottom=0.15, top=0.92) as (fig, axes):
        for ax, asset in zip(axes, assets, strict=True):
            index = next((h for h in ctx.fragility_history if h.base_asset == asset), None)
            drawn = _index_with_bands(ax, index, asset)
            prices = hist.market_for(asset, hist.long_start) if hist else ()
            if prices:
                twin = _price_axis(ax)
                twin.plot([p.day for p in prices], [_nan(p.price_usd) for p in prices],
                          color="#888888", linewidth=0.8, label=f"{asset} price (right)")
                if not drawn:
                    ax.set_ylim(0, 100)
            elif not drawn:
                _no_data(ax, f"{asset} index or price")
                continue
            ax.set_title(f"{asset}: fragility index (0\u2013100) and price", loc="left")
            ax.set_ylim(0, 100)
            ax.xaxis.set_major_locator(AutoDateLocator(minticks=3, maxticks=5))
            ax.xaxis.set_major_formatter(DateFormatter("%b %y"))
        handles = [matplotlib.patches.Patch(color=c, label=r) for r, c in REGIME_TINTS.items()]
        fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0),
                   ncols=len(handles), fontsize=6.5)
        return _svg(fig)


def _index_with_bands(ax: Axes, index: IndexHistory | None, asset: str) -> bool:
    if index is None or not index.points:
        return False
    for p in index.points:
        tint = REGIME_TINTS.get(p.regime or "")
        if tint:
            ax.axvspan(p.week_end - timedelta(days=6.5), p.week_end + timedelta(days=0.5),
                       color=tint, linewidth=0, zorder=0)
    pts = [p for p in index.points if p.fragility_index is not None]
    if not pts:
        return False
    ax.plot([p.week_end for p in pts], [p.fragility_index for p in pts], color=colour(asset),
            marker="o", markersize=2, zorder=3)
    return True


def open_interest_chart(ctx: ReportContext) -> str:
    """OI notional per asset stacked by venue (perpetuals) and kind (dated, CME), price beside."""
    hist = ctx.history
    assets = _assets(ctx)
    with _panels(len(assets), height_in=2.5, wspace=0.55) as (fig, axes):
        for ax, asset in zip(axes, assets, strict=True):
            rows = [p for p in (hist.open_interest if hist else ()) if p.base_asset == asset]
            if not rows:
                _no_data(ax, f"{asset} open interest")
                continue
            days = sorted({p.day for p in rows})
            series: dict[str, dict[date, float]] = {}
            for p in rows:
                key = f"{p.venue} perp" if p.kind == "perp" else KIND_LABELS.get(p.kind, p.kind)
                day_values = series.setdefault(key, {})
                if p.oi_usd is None:  # unknown stays a gap in the stack, not a zero
                    day_values.setdefault(p.day, float("nan"))
                else:
                    day_values[p.day] = day_values.get(p.day, 0.0) + p.oi_usd / 1e9
            keys = sorted(series, key=lambda k: (not k.endswith("perp"), k))
            ax.stackplot(days, [[series[k].get(d, float("nan")) for d in days] for k in keys],
                         labels=keys, colors=VENUE_PALETTE[: len(keys)], alpha=0.9, linewidth=0)
            prices = hist.market_for(asset) if hist else ()
            twin = _price_axis(ax)
            twin.plot([p.day for p in prices], [_nan(p.price_usd) for p in prices],
                      color="#222222", linewidth=0.9)
            ax.set_title(f"{asset}: OI, US$ bn (stacked); price (black)",
                         loc="left", fontsize=7.5)
            _usd_bn_axis(ax)
            _panel_dates(ax)
            ax.legend(loc="upper left", fontsize=5.5, ncols=2)
        return _svg(fig)


def arbitrage_chart(ctx: ReportContext) -> str:
    """Top: the arbitrage-share band (low-high) and its mid per asset. Bottom: the notionals
    the band is made of (CME leveraged-fund net and gross shorts, synthetic-dollar hedges)
    against total futures OI."""
    hist = ctx.history
    assets = _assets(ctx)
    with _panels(len(assets), nrows=2, height_in=3.8, bottom=0.08, top=0.93, right=0.97,
                 wspace=0.3, hspace=0.45) as (fig, axes):
        for i, asset in enumerate(assets):
            top, bottom = axes[i], axes[len(assets) + i]
            rows = [p for p in (hist.arbitrage if hist else ()) if p.base_asset == asset]
            if not rows or all(p.arb_share_mid is None for p in rows):
                _no_data(top, f"{asset} arbitrage-share band")
                _no_data(bottom, f"{asset} band components")
                continue
            days = [p.day for p in rows]
            c = colour(asset)
            top.fill_between(days, [_nan(p.arb_share_low, 100) for p in rows],
                             [_nan(p.arb_share_high, 100) for p in rows], color=c, alpha=0.25,
                             linewidth=0, label="band: low (net) \u2013 high (gross)")
            top.plot(days, [_nan(p.arb_share_mid, 100) for p in rows], color=c, label="mid")
            top.set_ylim(bottom=0)
            top.set_title(f"{asset}: delta-neutral share of futures OI (%)", loc="left",
                          fontsize=7.5)
            _pct_axis(top)
            top.legend(loc="upper left", fontsize=6)
            for attr, label, style in (
                ("total_oi_usd", "total futures OI", "-"),
                ("cme_lev_gross_short_usd", "CME lev. funds gross short", (0, (4, 1.5))),
                ("cme_lev_net_short_usd", "CME lev. funds net short", (0, (1, 1))),
                ("synthetic_dollar_hedge_usd", "synthetic-dollar hedge", (0, (3, 1, 1, 1))),
            ):
                values = [getattr(p, attr) for p in rows]
                if all(v is None for v in values):
                    continue
                bottom.plot(days, [_nan(v, 1e-9) for v in values], color=c if attr !=
                            "total_oi_usd" else "#444444", linestyle=style, linewidth=1.0,
                            label=label)
            bottom.set_title(f"{asset}: band components (US$ bn)", loc="left", fontsize=7.5)
            bottom.set_ylim(bottom=0)
            _usd_bn_axis(bottom)
            bottom.legend(loc="upper left", fontsize=5.5)
            _panel_dates(top)
            _panel_dates(bottom)
        return _svg(fig)


def basis_term_chart(ctx: ReportContext) -> str:
    """30- and 90-day constant-maturity annualised basis per asset, with the USD hurdle."""
    hist = ctx.history
    assets = _assets(ctx)
    with _panels(len(assets), height_in=2.2, right=0.97, wspace=0.3) as (fig, axes):
        for ax, asset in zip(axes, assets, strict=True):
            rows = [p for p in (hist.basis_term if hist else ()) if p.base_asset == asset]
            if not rows:
                _no_data(ax, f"{asset} constant-maturity basis")
                continue
            days = [p.day for p in rows]
            c = colour(asset)
            ax.plot(days, [_nan(p.cm30_apr, 100) for p in rows], color=c, label="30-day")
            ax.plot(days, [_nan(p.cm90_apr, 100) for p in rows], color=c, linestyle=(0, (4, 1.5)),
                    linewidth=1.0, label="90-day")
            ax.plot(days, [_nan(p.hurdle_apr, 100) for p in rows], color=REFERENCE_COLOUR,
                    linestyle=(0, (2, 2)), linewidth=0.9, label="hurdle (3-m T-bill)")
            ax.axhline(0, color="#444444", linewidth=0.6)
            ax.set_title(f"{asset}: annualised basis (% a year)", loc="left", fontsize=7.5)
            _pct_axis(ax, 1)
            _panel_dates(ax)
            ax.legend(loc="best", fontsize=6)
        return _svg(fig)


def long_short_chart(ctx: ReportContext) -> str:
    """Daily long/short account ratio per asset (one line each), 1 = balanced, with the
    trailing 7-day mean the index's crowding component uses."""
    hist = ctx.history
    with _panels(1, height_in=1.9, right=0.8, left=0.08) as (fig, axes):
        ax = axes[0]
        drawn = False
        for asset in _assets(ctx):
            pts = [p for p in (hist.market_for(asset) if hist else ())]
            if not pts or all(p.long_short_ratio is None for p in pts):
                continue
            drawn = True
            c = colour(asset)
            days = [p.day for p in pts]
            values = [_nan(p.long_short_ratio) for p in pts]
            ax.plot(days, values, color=c, linewidth=0.6, alpha=0.45, label=f"{asset} daily")
            ax.plot(days, _trailing_mean(values, 7), color=c, label=f"{asset} 7-day mean")
        if not drawn:
            _no_data(ax, "long/short ratio")
            return _svg(fig)
        ax.axhline(1, color="#444444", linewidth=0.6)
        ax.set_ylabel("long / short accounts")
        _date_axis(ax)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        return _svg(fig)


def _trailing_mean(values: Sequence[float], n: int) -> list[float]:
    out = []
    for i in range(len(values)):
        window = [v for v in values[max(0, i - n + 1): i + 1] if v == v]
        out.append(sum(window) / len(window) if len(window) == min(n, i + 1) else float("nan"))
    return out


def etf_chart(ctx: ReportContext) -> str:
    """Daily US spot ETF net flow (bars, US$ m), cumulative flow since the first day in the
    warehouse (line, right axis, US$ bn), price (grey, outer right axis)."""
    hist = ctx.history
    assets = _assets(ctx)
    with _panels(len(assets), height_in=2.4, left=0.1, right=0.86, wspace=0.75) as (fig, axes):
        for ax, asset in zip(axes, assets, strict=True):
            rows = [p for p in (hist.etf if hist else ()) if p.base_asset == asset]
            if not rows:
                _no_data(ax, f"{asset} ETF flows")
                continue
            known = [p for p in rows if p.net_flow_usd_m is not None]
            ax.bar([p.day for p in known], [p.net_flow_usd_m for p in known], width=0.8,
                   color=["#3d6b4f" if (p.net_flow_usd_m or 0) >= 0 else "#9b1c1c" for p in known])
            ax.axhline(0, color="#444444", linewidth=0.6)
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.0f}"))
            ax.set_ylabel("daily net flow, US$ m")
            cum = ax.twinx()
            cum.grid(False)
            cum.spines["right"].set_visible(True)
            cum.plot([p.day for p in rows], [_nan(p.cumulative_flow_usd_m, 1e-3) for p in rows],
                     color=colour(asset), linewidth=1.2)
            cum.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.1f}"))
            cum.tick_params(axis="y", labelsize=6.5, colors=colour(asset))
            prices = hist.market_for(asset) if hist else ()
            px = ax.twinx()
            px.grid(False)
            px.spines["right"].set_visible(True)
            px.spines["right"].set_position(("outward", 26))
            px.plot([p.day for p in prices], [_nan(p.price_usd) for p in prices],
                    color="#999999", linewidth=0.7)
            px.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v / 1000:,.0f}k"
                                                       if v >= 10_000 else f"{v:,.0f}"))
            px.tick_params(axis="y", labelsize=6, colors="#777777")
            ax.set_title(f"{asset}: daily flow, cumulative, price",
                         loc="left", fontsize=7)
            _panel_dates(ax)
        return _svg(fig)


def funding_heatmap(ctx: ReportContext) -> str:
    """Realised 1-day funding APR per venue (rows) and day (columns), per asset; diverging
    colours centred on zero (red negative, blue positive), clipped at +/-100 %."""
    hist = ctx.history
    assets = _assets(ctx)
    with _panels(1, nrows=len(assets), height_in=1.1 + 0.9 * len(assets), left=0.12,
                 right=0.98, top=0.92, bottom=0.1, hspace=0.5) as (fig, axes):
        image = None
        for ax, asset in zip(axes, assets, strict=True):
            rows = [p for p in (hist.funding if hist else ()) if p.base_asset == asset]
            if not rows:
                _no_data(ax, f"{asset} funding")
                continue
            venues = sorted({p.venue for p in rows})
            days = sorted({p.day for p in rows})
            col = {d: i for i, d in enumerate(days)}
            grid = [[float("nan")] * len(days) for _ in venues]
            for p in rows:
                grid[venues.index(p.venue)][col[p.day]] = _nan(p.realised_apr, 100)
            image = ax.imshow(grid, aspect="auto", cmap="RdBu", interpolation="nearest",
                              norm=TwoSlopeNorm(vcenter=0, vmin=-100, vmax=100))
            ax.set_yticks(range(len(venues)), venues, fontsize=6.5)
            ticks = [i for i, d in enumerate(days) if d.day in (1, 15)]
            ax.set_xticks(ticks, [days[i].strftime("%d %b") for i in ticks])
            ax.grid(False)
            ax.set_title(f"{asset}", loc="left", fontsize=7.5)
        if image is not None:
            bar = fig.colorbar(image, ax=axes, shrink=0.8, pad=0.01, extend="both")
            bar.set_label("realised funding, % a year", fontsize=6.5)
            bar.ax.tick_params(labelsize=6)
        return _svg(fig)


def render_history_charts(ctx: ReportContext) -> HistoryCharts:
    """All history charts of a context, as data URLs."""
    return HistoryCharts(
        hero=svg_data_uri(hero_chart(ctx)),
        open_interest=svg_data_uri(open_interest_chart(ctx)),
        arbitrage=svg_data_uri(arbitrage_chart(ctx)),
        basis_term=svg_data_uri(basis_term_chart(ctx)),
        long_short=svg_data_uri(long_short_chart(ctx)),
        etf=svg_data_uri(etf_chart(ctx)),
        funding_heatmap=svg_data_uri(funding_heatmap(ctx)),
    )
