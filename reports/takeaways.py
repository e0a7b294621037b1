"""Page 1's three takeaways (what changed, why it matters, what to watch) and its headline.

Generated from the context by stated rules, like :mod:`reports.narrative`: every number goes
through the same filters as the tables, an index difference under
:data:`~reports.narrative.INDEX_CHANGE_MATERIAL` points reads "unchanged" (a move) or "level"
(two markets compared), a takeaway whose inputs are missing says what is missing. The rules are
documented in docs/methodology.md, "Report wording".
"""

from __future__ import annotations

from dataclasses import dataclass

from reports import filters as f
from reports.context import AssetSummary, CarryRow, ReportContext
from reports.narrative import INDEX_CHANGE_MATERIAL

#: The regimes in which the carry trade is under strain (the "why it matters" turns on them).
STRAINED = ("unwinding", "unwind risk")


@dataclass(frozen=True, slots=True)
class Takeaway:
    """One labelled takeaway of page 1."""

    label: str
    text: str


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def compare(assets: list[AssetSummary]) -> str | None:
    """Which market is more fragile, or "level" when the indices differ by less than the
    threshold (57.5 vs 57.2 is level, not "BTC is more fragile")."""
    ranked = [a for a in assets if a.fragility_index is not None]
    if len(ranked) < 2:
        return None
    ranked.sort(key=lambda a: -(a.fragility_index or 0.0))
    top, low = ranked[0], ranked[-1]
    gap = (top.fragility_index or 0.0) - (low.fragility_index or 0.0)
    values = " vs ".join(f"{a.base_asset} {f.index(a.fragility_index)}" for a in ranked)
    if gap < INDEX_CHANGE_MATERIAL:
        return f"the two markets are level on the index ({values})"
    return f"{top.base_asset} is the more fragile market ({values})"


def _move(a: AssetSummary) -> str:
    if a.fragility_index is None:
        return f"{a.base_asset} has no index this week ({f.na(a.regime)})"
    if a.index_change is None:
        return f"{a.base_asset}'s index is {f.index(a.fragility_index)} (no previous week)"
    if abs(a.index_change) < INDEX_CHANGE_MATERIAL:
        return (f"{a.base_asset}'s index is unchanged at {f.index(a.fragility_index)} "
                f"({f.signed(a.index_change)})")
    verb = "rose" if a.index_change > 0 else "fell"
    return (f"{a.base_asset}'s index {verb} {f.num(abs(a.index_change), 1)} points to "
            f"{f.index(a.fragility_index)}")


def _regime_change(a: AssetSummary) -> str | None:
    if a.regime is None:
        return None
    if a.previous_regime is None or a.previous_regime == a.regime:
        return f"{a.base_asset} {'stays' if a.previous_regime else 'is'} in \u2018{a.regime}\u2019"
    return f"{a.base_asset} moved from \u2018{a.previous_regime}\u2019 to \u2018{a.regime}\u2019"


def what_changed(ctx: ReportContext) -> str:
    """Index moves, regime changes and the week's price moves."""
    assets = list(ctx.assets)
    if not assets:
        return "No fragility index for this week: the warehouse has funding but no index rows."
    parts = [_join([_move(a) for a in assets]) + "."]
    regimes = [r for r in (_regime_change(a) for a in assets) if r]
    cmp = compare(assets)
    if regimes or cmp:
        parts.append(_capital(_join([*regimes, *([cmp] if cmp else [])])) + ".")
    moves = [f"{m.base_asset} {f.signed_pct(m.price_change_7d_pct, 1)} to "
             f"{f.price(m.reference_price_usd)}" for m in ctx.market
             if m.price_change_7d_pct is not None]
    if moves:
        parts.append(f"Prices on the week: {_join(moves)}.")
    return " ".join(parts)


def _carry_text(c: CarryRow) -> str:
    return f"{c.base_asset} {f.pct(c.carry_apr, 1, signed=True)}"


def why_it_matters(ctx: ReportContext) -> str:
    """What the carry and the unwind checklist say about the neutral book."""
    known = [c for c in ctx.carry if c.carry_apr is not None]
    if not known:
        return ("Carry versus the hurdle is not available this week (no carry rows), so "
                "whether the neutral trade still pays is unknown.")
    below = [c for c in known if (c.carry_apr or 0.0) <= 0]
    above = [c for c in known if (c.carry_apr or 0.0) > 0]
    parts = []
    if below:
        parts.append(
            "Neutral carry is at or below the T-bill hurdle for "
            f"{_join([_carry_text(c) for c in below])}: "
            "the delta-neutral trade that absorbs leveraged longs no longer pays, and the "
            "depth it provides can leave with it.")
    if above:
        parts.append(
            f"Carry still pays over the hurdle for {_join([_carry_text(c) for c in above])}: "
            "neutral desks keep absorbing the long demand.")
    unwinding = [a.base_asset for a in ctx.assets if a.regime == "unwinding"]
    if unwinding:
        parts.append(f"With price or open interest down 10 % or more in 7 days, the unwind is "
                     f"under way for {_join(unwinding)}.")
    return " ".join(parts)


def what_to_watch(ctx: ReportContext) -> str:
    """The conditions that would change the regime next."""
    parts = []
    for c in ctx.carry:
        if c.is_unwind_condition:
            parts.append(
                f"{c.base_asset}: 7-day funding back above zero (now "
                f"{f.pct(c.funding_apr_7d, 1)}) and the perp back above its index (now "
                f"{f.bp(c.premium_7d, 1, signed=True)}) would clear the unwind condition")
        elif c.is_unwind_condition is False:
            parts.append(
                f"{c.base_asset}: carry is {f.pct(c.carry_apr, 1, signed=True)} over the "
                f"hurdle and the premium {f.bp(c.premium_7d, 1, signed=True)}; a perp "
                "discount or negative funding would turn it to unwind risk")
    if not parts:
        return "The unwind checklist is not available this week."
    text = "; ".join(parts) + "."
    if ctx.liquidations is not None and ctx.liquidations.has_data:
        text += (" A cascade day (long liquidations extreme while open interest falls) would "
                 "mark forced selling.")
    return text


def takeaways(ctx: ReportContext) -> tuple[Takeaway, ...]:
    """The three takeaways of page 1, in reading order."""
    return (
        Takeaway("What changed", what_changed(ctx)),
        Takeaway("Why it matters", why_it_matters(ctx)),
        Takeaway("What to watch", what_to_watch(ctx)),
    )


def headline(ctx: ReportContext) -> str:
    """One line over the takeaways: the regimes, or the warming-up state."""
    if not ctx.assets:
        return f"No fragility index for {ctx.iso_week}"
    if all(a.is_warming_up for a in ctx.assets):
        return "Fragility index warming up: not enough history to rank the week yet"
    regimes = {a.regime for a in ctx.assets}
    if len(regimes) == 1:
        regime = next(iter(regimes))
        names = " and ".join(a.base_asset for a in ctx.assets)
        return f"{names}: {regime}" + (
            ", carry below the hurdle" if all((c.carry_apr or 0) <= 0 for c in ctx.carry)
            and ctx.carry else "")
    return "; ".join(f"{a.base_asset} {f.na(a.regime)}" for a in ctx.assets)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
