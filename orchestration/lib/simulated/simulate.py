"""One simulated day, every raw dataset, conformed to the landing contract."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pyarrow as pa

from orchestration.lib import landing
from orchestration.lib.raw_schemas import ALL_DATASETS, DATASETS_BY_NAME
from orchestration.lib.simulated import candles, derivatives, funding, reference
from orchestration.lib.simulated.config import SimulationConfig
from orchestration.lib.simulated.context import build_context

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
    day: date, seed: int = DEFAULT_SEED, config: SimulationConfig | None = None
) -> dict[str, pa.Table]:
    """Every raw dataset of one UTC day of the simulated market.

    A pure function of ``(day, seed, config)``: no clock, no global state, no dependence on
    other calls, so any partition can be rebuilt alone and lands byte-identical Parquet.
    Returns one table per name in ``raw_schemas.ALL_DATASETS`` (zero rows where the day has
    none, e.g. CFTC on non-Fridays, ETF flows at weekends), already conformed.
    """
    if seed < 0:
        raise ValueError("seed must be a non-negative integer")
    config = config or SimulationConfig()
    ctx = build_context(day, seed, config)
    dated = derivatives.dated_contracts(ctx)
    columns: dict[str, Mapping[str, object]] = {
        "funding_rates": funding.funding_columns(ctx),
        "premium_index": derivatives.premium_index_columns(ctx),
        "ohlcv_daily": candles.ohlcv_columns(ctx),
        "open_interest": derivatives.open_interest_columns(ctx, dated),
        "long_short_ratio": derivatives.long_short_columns(ctx),
        "dated_futures": derivatives.dated_futures_columns(dated, ctx),
        "cftc_tff": reference.cftc_columns(day, seed, config),
        "etf_flows": reference.etf_columns(day, seed, config),
        "rates": reference.rates_columns(day, seed, config),
    }
    return {d.name: _table(d.name, columns[d.name]) for d in ALL_DATASETS}
