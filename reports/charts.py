"""The report's charts: matplotlib figures rendered to SVG strings.

Charts are vector (sharp in print) and embedded in the HTML as ``data:image/svg+xml;base64``
URLs, so the restricted URL fetcher needs nothing but ``data:`` to draw them. Text stays text
(``svg.fonttype: none``) in DejaVu Sans, the only font on the machine, so the PDF's chart labels
match the body. Output is deterministic for a given context — fixed ``svg.hashsalt``, no
``Date`` metadata, no global pyplot state — so rendering the same context twice gives the same
PDF text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reports.chart_style import (
    REFERENCE_COLOUR,
    _date_axis,
    _figure,
    _no_data,
    _percent_axis,
    _to_svg,
    colour,
    svg_data_uri,
)
from reports.context import (
    BASELINE_APR,
    BasisTermRow,
    DatedContractRow,
    FundingHistory,
    IndexHistory,
    ReportContext,
)
from reports.liquidations import liquidation_chart


@dataclass(frozen=True, slots=True)
class Charts:
    """The data URLs of the report's charts (passed to the template)."""

    funding_90d: str
    fragility_history: str
    term_structure: str
    liquidations_90d: str = ""


def funding_chart(histories: Sequence[FundingHistory], baseline_apr: float = BASELINE_APR) -> str:
    """OI-weighted funding APR per asset over 90 days: 7-day realised (solid) and daily (faint),
    with the 0.01 %/8 h baseline (10.95 %) and zero as reference lines."""
    with _figure() as (fig, ax):
        drawn = False
        for hist in histories:
            days = [p.day for p in hist.points]
            c = colour(hist.base_asset)
            daily = [_pct_or_nan(p.apr_1d) for p in hist.points]
            weekly = [_pct_or_nan(p.apr_7d) for p in hist.points]
            if not days:
                continue
            drawn = True
            ax.plot(days, daily, color=c, linewidth=0.6, alpha=0.35,
                    label=f"{hist.base_asset} daily")
            ax.plot(days, weekly, color=c, label=f"{hist.base_asset} 7-day realised",
                    linestyle="-" if hist.base_asset != "BTC" else (0, (5, 1.5)))
        if not drawn:
            _no_data(ax, "funding")
            return _to_svg(fig)
        ax.axhline(100 * baseline_apr, color=REFERENCE_COLOUR, linestyle=(0, (2, 2)),
                   linewidth=0.9, label=f"baseline 0.01 %/8 h\n= {100 * baseline_apr:.2f} % a year")
        ax.axhline(0, color="#444444", linewidth=0.6)
        ax.set_ylabel("APR (OI-weighted across venues)")
        _percent_axis(ax)
        _date_axis(ax)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), ncols=1)
        return _to_svg(fig)


def fragility_history_chart(histories: Sequence[IndexHistory]) -> str:
    """Weekly fragility index per asset (thick) with its build-up and stress sides (thin). No
    threshold lines: the regimes are rules on the sides and on absolute carry levels, not
    levels of the composite (docs/methodology.md, "Regimes")."""
    with _figure(height_in=2.5) as (fig, ax):
        drawn = False
        for hist in histories:
            pts = [p for p in hist.points if p.fragility_index is not None]
            if not pts:
                continue
            drawn = True
            c = colour(hist.base_asset)
            ax.plot([p.week_end for p in pts], [p.fragility_index for p in pts],
                    color=c, marker="o", markersize=2.5,
                    linestyle="-" if hist.base_asset != "BTC" else (0, (5, 1.5)),
                    label=f"{hist.base_asset} index")
            for attr, style, name in (("buildup_index", (0, (1, 1)), "build-up"),
                                      ("stress_index", (0, (3, 1, 1, 1)), "stress")):
                side = [p for p in pts if getattr(p, attr) is not None]
                if side:
                    ax.plot([p.week_end for p in side], [getattr(p, attr) for p in side],
                            color=c, linewidth=0.8, linestyle=style, alpha=0.8,
                            label=f"{hist.base_asset} {name}")
        if not drawn:
            _no_data(ax, "fragility index (warming up or no data)")
            return _to_svg(fig)
        ax.set_ylim(0, 100)
        ax.set_ylabel("index (0\u2013100)")
        _date_axis(ax)
        ax.legend(loc="upper left", ncols=3, fontsize=6)
        return _to_svg(fig)


def term_structure_chart(
    contracts: Sequence[DatedContractRow],
    terms: Sequence[BasisTermRow],
    hurdle_apr: float | None,
) -> str:
    """Annualised basis against days to expiry per asset (dated contracts as dots joined by
    expiry, CME as squares), the 30/90-day constant-maturity points as crosses, and the USD
    hurdle as a reference line."""
    with _figure() as (fig, ax):
        drawn = False
        assets = sorted({c.base_asset for c in contracts} | {t.base_asset for t in terms},
                        key=_asset_order)
        for asset in assets:
            c = colour(asset)
            for kind, marker in (("dated", "o"), ("cme", "s")):
                rows = [r for r in contracts if r.base_asset == asset and r.kind == kind
                        and r.annualized_basis is not None and r.days_to_expiry is not None]
                if not rows:
                    continue
                drawn = True
                # Every contract as a marker; for dated futures a line through the mean of
                # each expiry (venues pooled, as the constant-maturity basis does).
                ax.plot([r.days_to_expiry for r in rows],
                        [100 * (r.annualized_basis or 0.0) for r in rows],
                        linestyle="none", marker=marker, markersize=3.5, color=c, alpha=0.85,
                        markerfacecolor=c if kind == "dated" else "none",
                        label=f"{asset} {'dated' if kind == 'dated' else 'CME'}")
                if kind == "dated":
                    by_dte: dict[int, list[float]] = {}
                    for r in rows:
                        by_dte.setdefault(r.days_to_expiry or 0, []).append(
                            100 * (r.annualized_basis or 0.0))
                    xs = sorted(by_dte)
                    ax.plot(xs, [sum(by_dte[x]) / len(by_dte[x]) for x in xs], color=c,
                            linewidth=0.9,
                            linestyle="-" if asset != "BTC" else (0, (5, 1.5)))
            for t in terms:
                if t.base_asset != asset:
                    continue
                xs = [d for d, v in ((30, t.cm30_apr), (90, t.cm90_apr)) if v is not None]
                ys = [100 * v for v in (t.cm30_apr, t.cm90_apr) if v is not None]
                if xs:
                    drawn = True
                    ax.plot(xs, ys, linestyle="none", marker="x", markersize=6, color=c,
                            markeredgewidth=1.2, label=f"{asset} 30 d / 90 d constant maturity")
        if not drawn:
            _no_data(ax, "dated futures")
            return _to_svg(fig)
        if hurdle_apr is not None:
            ax.axhline(100 * hurdle_apr, color=REFERENCE_COLOUR, linestyle=(0, (2, 2)),
                       linewidth=0.9, label=f"USD hurdle, 3-m T-bill\n= {100 * hurdle_apr:.2f} %")
        ax.axhline(0, color="#444444", linewidth=0.6)
        ax.set_xlim(left=0)
        ax.set_xlabel("days to expiry")
        ax.set_ylabel("annualised basis")
        _percent_axis(ax, 1)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        return _to_svg(fig)


def render_charts(ctx: ReportContext) -> Charts:
    """All charts of a context, as data URLs."""
    hurdles = [c.hurdle_apr for c in ctx.carry if c.hurdle_apr is not None]
    return Charts(
        funding_90d=svg_data_uri(funding_chart(ctx.funding_history, ctx.baseline_apr)),
        fragility_history=svg_data_uri(fragility_history_chart(ctx.fragility_history)),
        term_structure=svg_data_uri(
            term_structure_chart(ctx.dated_basis, ctx.basis_term, hurdles[0] if hurdles else None)
        ),
        liquidations_90d=_liquidations_chart(ctx),
    )


def _liquidations_chart(ctx: ReportContext) -> str:
    if ctx.liquidations is None or not ctx.liquidations.has_data:
        return ""
    return svg_data_uri(liquidation_chart(ctx.liquidations.histories))


def _pct_or_nan(value: float | None) -> float:
    return float("nan") if value is None else 100.0 * value


def _asset_order(asset: str) -> tuple[int, str]:
    return ({"ETH": 0, "BTC": 1}.get(asset, 2), asset)


__all__ = [
    "Charts",
    "funding_chart",
    "fragility_history_chart",
    "render_charts",
    "svg_data_uri",
    "term_structure_chart",
]
