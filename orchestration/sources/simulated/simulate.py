"""One simulated day, every raw dataset, conformed to the landing contract."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import date

import pyarrow as pa

from orchestration.landing import landing
from orchestration.landing.raw_schemas import ALL_DATASETS, DATASETS_BY_NAME
from orchestration.sources.simulated import candles, derivatives, funding, liquidations, reference
from orchestration.sources.simulated.config import SimulationConfig
from orchestration.sources.simulated.context import build_context

SOURCE_NAME = "simulated"
"""The ``source`` value of every simulated row (a report built from it says so)."""
DEFAULT_SEED = 7


def _table(name: str, columns: Mapping[str, object]) -> pa.Table:
    """Arrow table in the dataset's contract order and types, ``source`` filled in."""
    dataset = DATASETS_BY_NAME[name]
    rows = len(next(iter(columns.values()))) if columns else 0
    arrays: dict[str, pa.Array] = {"source": pa.array([SOURCE_NAME] * rows, pa.string())}
    for field in dataset.schema:
        if field.name in columns:
            arrays[field.name] = pa.array(columns[field.name], type=field.type)
    return landing.conform(dataset, pa.table(arrays))


def simulate_day(
    day: date,
    seed: int = DEFAULT_SEED,
    config: SimulationConfig | None = None,
    datasets: Collection[str] | None = None,
) -> dict[str, pa.Table]:
    """The raw datasets of one UTC day of the simulated market (all, or those in ``datasets``).

    A pure function of ``(day, seed, config)``: no clock, no global state, no dependence on
    other calls, so any partition can be rebuilt alone and lands byte-identical Parquet.
    Returns one table per requested name of ``raw_schemas.ALL_DATASETS`` (zero rows where the
    day has none, e.g. CFTC on non-Fridays, ETF flows at weekends), already conformed.
    Asking for a subset skips the rest: the CFTC, ETF and rates landing assets need none of
    the per-symbol exchange simulation, which is most of a day's cost at 100 perpetuals.
    """
    if seed < 0:
        raise ValueError("seed must be a non-negative integer")
    config = config or SimulationConfig()
    names = [d.name for d in ALL_DATASETS if datasets is None or d.name in datasets]
    exchange: dict[str, Callable[..., Mapping[str, object]]] = {
        "funding_rates": lambda ctx, dated: funding.funding_columns(ctx),
        "premium_index": lambda ctx, dated: derivatives.premium_index_columns(ctx),
        "ohlcv_daily": lambda ctx, dated: candles.ohlcv_columns(ctx),
        "open_interest": lambda ctx, dated: derivatives.open_interest_columns(ctx, dated),
        "long_short_ratio": lambda ctx, dated: derivatives.long_short_columns(ctx),
        "dated_futures": lambda ctx, dated: derivatives.dated_futures_columns(dated, ctx),
    }
    reference_builders: dict[str, Callable[..., Mapping[str, object]]] = {
        "cftc_tff": reference.cftc_columns,
        "etf_flows": reference.etf_columns,
        "rates": reference.rates_columns,
    }
    columns: dict[str, Mapping[str, object]] = {
        name: reference_builders[name](day, seed, config)
        for name in names
        if name in reference_builders
    }
    liquidation_names = {"liquidations", "liquidation_coverage"}.intersection(names)
    if any(name in exchange for name in names) or liquidation_names:
        ctx = build_context(day, seed, config)
        if any(name in exchange for name in names):
            dated = derivatives.dated_contracts(ctx)
            columns.update(
                {name: exchange[name](ctx, dated) for name in names if name in exchange}
            )
        if liquidation_names:
            events = liquidations.liquidation_columns(ctx)
            columns["liquidations"] = events
            columns["liquidation_coverage"] = liquidations.coverage_columns(ctx, events)
    return {name: _table(name, columns[name]) for name in names}
