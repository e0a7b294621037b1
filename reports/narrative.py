"""The executive summary's generated sentences.

Every number in a sentence is read from the :class:`~reports.context.ReportContext` and
printed with the same filters as the tables, so the prose can never disagree with them. The
wording thresholds are the constants below; a sentence whose inputs are missing is left out
rather than written with a gap. At most :data:`MAX_SENTENCES` sentences, in the order of what
the reader pays for: which market is more fragile, how it moved, how much carry there is, how
close the unwind is, how much of the OI is likely neutral, and the ETF flows.
"""

from __future__ import annotations

from collections.abc import Callable

from reports import filters as f
from reports.context import AssetSummary, ReportContext

#: An index move smaller than this (index points) reads as "broadly unchanged".
INDEX_CHANGE_MATERIAL = 2.0
#: Funding within this distance of the 10.95 % baseline (APR, 1 pp) reads as "at the baseline".
FUNDING_NEAR_BASELINE = 0.01
#: The summary stops after this many sentences.
MAX_SENTENCES = 6


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _sides(a: AssetSummary) -> str:
    """'build-up B, stress S; regime': the two halves the index is made of, then the regime."""
    if a.buildup_index is None and a.stress_index is None:
        return f.na(a.regime)
    return (f"build-up {f.index(a.buildup_index)}, stress {f.index(a.stress_index)}; "
            f"{f.na(a.regime)}")


def _warming_up(ctx: ReportContext) -> str | None:
    warming = [a for a in ctx.assets if a.is_warming_up]
    if not warming:
        return None
    needed = warming[0].min_history_weeks
    have = _join([f"{a.base_asset} {a.rank_history_weeks or 0}" for a in warming])
    return (f"No fragility index is published yet: a component is ranked only after {needed} "
            f"complete weeks of history, and the history so far is {have} weeks "
            "(warming up).")


def _headline(ctx: ReportContext) -> str | None:
    ranked = [a for a in ctx.assets if a.fragility_index is not None]
    if not ranked:
        return _warming_up(ctx)
    if len(ranked) == 1:
        a = ranked[0]
        return (f"{a.base_asset}'s fragility index stands at {f.index(a.fragility_index)} "
                f"({_sides(a)}).")
    ranked.sort(key=lambda a: -(a.fragility_index or 0.0))
    top, others = ranked[0], ranked[1:]
    rest = _join([f"{f.index(o.fragility_index)} ({f.na(o.regime)}) for {o.base_asset}"
                  for o in others])
    if all(abs((top.fragility_index or 0.0) - (o.fragility_index or 0.0))
           < INDEX_CHANGE_MATERIAL for o in others):
        # under the wording threshold two indices read as level, not "X is more fragile"
        levels = _join([f"{f.index(a.fragility_index)} on {a.base_asset} ({_sides(a)})"
                        for a in ranked])
        return f"The two markets are level on the fragility index this week: {levels}."
    return (f"{top.base_asset} is the more fragile market this week: its index stands at "
            f"{f.index(top.fragility_index)} ({_sides(top)}) against {rest}.")


def _move(a: AssetSummary) -> str | None:
    if a.index_change is None or a.previous_index is None:
        return None
    if abs(a.index_change) < INDEX_CHANGE_MATERIAL:
        return (f"{a.base_asset} was broadly unchanged ({f.signed(a.index_change)} points from "
                f"{f.index(a.previous_index)})")
    verb = "rose" if a.index_change > 0 else "fell"
    return (f"{a.base_asset} {verb} {f.num(abs(a.index_change), 1)} points from "
            f"{f.index(a.previous_index)}")


def _changes(ctx: ReportContext) -> str | None:
    moved = [a for a in ctx.assets if _move(a)]
    if not moved:
        return None
    weeks = sorted({a.previous_iso_week for a in moved})
    return f"Since {' and '.join(weeks)}, {_join([_move(a) or '' for a in moved])}."


def _funding_word(apr: float, baseline: float) -> str:
    if apr < 0:
        return "negative"
    if abs(apr - baseline) <= FUNDING_NEAR_BASELINE:
        return "at the baseline"
    return "above the baseline" if apr > baseline else "below the baseline"


def _funding(ctx: ReportContext) -> str | None:
    rows = [a for a in ctx.assets if a.funding_apr_7d is not None]
    if not rows:
        return None
    levels = _join([f"{f.pct(a.funding_apr_7d)} on {a.base_asset} "
                    f"({_funding_word(a.funding_apr_7d or 0.0, ctx.baseline_apr)})"
                    for a in rows])
    return (f"OI-weighted 7-day realised funding is {levels}, against a baseline of "
            f"{f.pct(ctx.baseline_apr, 2)} a year (0.01 % per 8 h), where funding settles when "
            f"the premium is small.")


def _carry(ctx: ReportContext) -> str | None:
    parts = []
    hurdle = None
    for c in ctx.carry:
        if c.carry_apr is None:
            continue
        hurdle = c.hurdle_apr if c.hurdle_apr is not None else hurdle
        if c.base_asset == "ETH":
            how = f"funding plus {f.pct(c.staking_apr)} staking"
        else:
            how = "30-day constant-maturity basis"
        parts.append(f"{f.pct(c.carry_apr, signed=True)} on {c.base_asset} ({how})")
    if not parts:
        return None
    net = f"Net of the {f.pct(hurdle)} T-bill hurdle" if hurdle is not None else "Net of the hurdle"
    return f"{net}, the neutral carry is {_join(parts)}."


def _unwind(ctx: ReportContext) -> str | None:
    known = [c for c in ctx.carry if c.is_unwind_condition is not None]
    if not known:
        return None
    hit = [c for c in known if c.is_unwind_condition]
    if not hit:
        names = _join([c.base_asset for c in known])
        return (f"No unwind condition holds at week end for {names}: carry is above the "
                f"hurdle, funding is positive and the perp trades at a premium.")
    parts = _join([f"{c.base_asset} ({f.na(c.unwind_reason)})" for c in hit])
    return f"The unwind condition holds at week end for {parts}."


def _arbitrage(ctx: ReportContext) -> str | None:
    bands = [b for b in ctx.arbitrage
             if b.arb_share_low is not None and b.arb_share_high is not None]
    if not bands:
        return None
    parts = _join([f"{f.pct(b.arb_share_low, 1)}\u2013{f.pct(b.arb_share_high, 1)} of "
                   f"{b.base_asset} futures OI" for b in bands])
    return (f"An estimated {parts} is delta-neutral arbitrage (CME leveraged-fund shorts and "
            f"configured hedges) rather than a directional bet.")


def _etf(ctx: ReportContext) -> str | None:
    weeks = [w for w in (ctx.etf_week(a) for a in ctx.asset_names)
             if w is not None and w.net_flow_usd_m is not None]
    if not weeks:
        return None
    parts = _join([f"{f.usd_m(w.net_flow_usd_m)} for {w.base_asset}" for w in weeks])
    return f"US spot ETFs reported net flows of {parts} over the week."


SENTENCES: tuple[Callable[[ReportContext], str | None], ...] = (
    _headline, _changes, _funding, _carry, _unwind, _arbitrage, _etf,
)


def summary_sentences(ctx: ReportContext) -> tuple[str, ...]:
    """Three to six sentences of plain text (escaped by the template like any other value)."""
    out = [s for s in (build(ctx) for build in SENTENCES) if s]
    return tuple(out[:MAX_SENTENCES])
