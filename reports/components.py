"""The fragility index's components as the report names, prints and ranks them.

Split from :mod:`reports.context` (the data of every page): this module is the one answer to
"which components, in which order, on which side, printed how", and turns one
``fct_fragility_weekly`` row into them. The weights are not here: the warehouse
(``dbt_project.yml`` var ``fragility_weights``) is their one source.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

ComponentUnit = Literal["pp", "apr", "share", "ratio"]
Side = Literal["buildup", "stress"]


@dataclass(frozen=True, slots=True)
class ComponentSpec:
    """How the report names and prints a fragility-index component. The weights are not here:
    the warehouse (``dbt_project.yml`` var ``fragility_weights``) is their one source, and the
    mart emits each component's effective weight and contribution per week.

    Attributes:
        name: column stem in ``fct_fragility_weekly`` (``<name>_value``, ``_score``,
            ``_weight``, ``_contribution``).
        label: how the report names it.
        side: ``buildup`` (the load) or ``stress`` (the trigger).
        unit: how its raw value is printed (``pp`` a difference of APRs or percentages,
            ``apr`` an annualised rate, ``share`` a 0-1 share, ``ratio`` a plain ratio).
        meaning: one line on why a high value is fragile.
    """

    name: str
    label: str
    side: Side
    unit: ComponentUnit
    meaning: str


#: The fourteen components of ``fct_fragility_weekly`` in contract order: build-up side, then
#: stress side (docs/methodology.md, "Fragility index").
FRAGILITY_COMPONENTS: tuple[ComponentSpec, ...] = (
    ComponentSpec(
        "excess_funding", "Excess funding", "buildup", "apr",
        "7-day funding over each venue's own baseline, OI-weighted: longs paying up",
    ),
    ComponentSpec(
        "premium", "Premium vs history", "buildup", "pp",
        "7-day perp premium above its own trailing-year median",
    ),
    ComponentSpec(
        "leverage_buildup", "Leverage build-up", "buildup", "pp",
        "7-day OI change minus 7-day price change: OI growing faster than price",
    ),
    ComponentSpec(
        "oi_to_spot_volume", "OI vs spot volume", "buildup", "ratio",
        "open interest per dollar of daily spot volume: leverage over real buying",
    ),
    ComponentSpec(
        "crowding", "Long/short crowding (7-day mean)", "buildup", "ratio",
        "mean long/short account ratio over 7 days",
    ),
    ComponentSpec(
        "arb_share", "Arbitrage share", "buildup", "share",
        "estimated delta-neutral share of futures OI (mid of the band)",
    ),
    ComponentSpec(
        "carry_over_hurdle", "Carry over hurdle", "buildup", "apr",
        "neutral carry net of the T-bill, when positive: the trade that absorbs the longs",
    ),
    ComponentSpec(
        "basis", "Basis", "buildup", "apr",
        "30-day constant-maturity dated-futures basis",
    ),
    ComponentSpec(
        "carry_compression", "Carry compression", "stress", "pp",
        "30-day minus 7-day realised funding, when positive: carry falling",
    ),
    ComponentSpec(
        "carry_below_hurdle", "Carry below hurdle", "stress", "apr",
        "carry vs the T-bill when at or below it (printed negative): the trade no longer pays",
    ),
    ComponentSpec(
        "negative_funding", "Funding below baseline", "stress", "share",
        "OI-weighted share of 7 days' settlements below each venue's own baseline",
    ),
    ComponentSpec(
        "perp_discount", "Discount vs history", "stress", "pp",
        "7-day perp premium below its own trailing-year median",
    ),
    ComponentSpec(
        "oi_falling", "OI falling", "stress", "share",
        "7-day fall of open interest: positions closing",
    ),
    ComponentSpec(
        "liquidations", "Liquidations", "stress", "share",
        "7 days of long liquidations against open interest (unknown where no collector ran)",
    ),
)


@dataclass(frozen=True, slots=True)
class Component:
    """One component of an asset's fragility index for the week, as the warehouse emits it.

    Attributes:
        name / label / side / unit: from :data:`FRAGILITY_COMPONENTS`.
        value: the week's raw value (unit per ``unit``); None when the input is unknown.
        score: 0-1 rank against the asset's trailing 52 complete weeks, 1 = most fragile; None
            when unknown or warming up.
        effective_weight: the weight it carries in the index this week (mart ``<name>_weight``).
        contribution: index points it adds (mart ``<name>_contribution``); they sum to the index.
    """

    name: str
    label: str
    side: Side
    unit: ComponentUnit
    value: float | None
    score: float | None
    effective_weight: float | None
    contribution: float | None


def rank_contributors(components: tuple[Component, ...], n: int = 3) -> tuple[Component, ...]:
    """The ``n`` components adding most index points, largest first; ties keep contract order
    so the ranking is deterministic. Components without a contribution are left out."""
    scored = [c for c in components if c.contribution is not None]
    order = {c.name: i for i, c in enumerate(components)}
    scored.sort(key=lambda c: (-(c.contribution or 0.0), order[c.name]))
    return tuple(scored[:n])


def build_components(row: Mapping[str, object]) -> tuple[Component, ...]:
    """The components of one ``fct_fragility_weekly`` row, contract order: value, score,
    effective weight and contribution exactly as the warehouse computed them (no weights or
    re-weighting here, so the report cannot disagree with the mart)."""
    return tuple(
        Component(
            name=spec.name,
            label=spec.label,
            side=spec.side,
            unit=spec.unit,
            value=_as_float(row.get(f"{spec.name}_value")),
            score=_as_float(row.get(f"{spec.name}_score")),
            effective_weight=_as_float(row.get(f"{spec.name}_weight")),
            contribution=_as_float(row.get(f"{spec.name}_contribution")),
        )
        for spec in FRAGILITY_COMPONENTS
    )


def _as_float(value: object) -> float | None:
    """A warehouse number as float; None (SQL null or NaN) stays None."""
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if number != number else number
