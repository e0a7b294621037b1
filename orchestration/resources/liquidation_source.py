"""Where the day's liquidations come from, as a Dagster resource.

``simulated`` (the default, with the simulated market): the deterministic story of
``orchestration/sources/simulated/liquidations.py``. ``live``: the files the long-running
``perp-fragility collect-liquidations`` process wrote for the day (compacted), plus Deribit's
REST ``fetchLiquidations``. Selected with ``PERP_FRAGILITY_SOURCE`` like the market source.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dagster as dg
import pyarrow as pa
from pydantic import Field

from orchestration.lib import settings
from orchestration.sources.simulated import SimulationConfig, simulate_day

DATASETS = frozenset({"liquidations", "liquidation_coverage"})


class LiquidationSource(dg.ConfigurableResource):
    """Produces one UTC day of ``raw/liquidations`` and ``raw/liquidation_coverage``."""

    mode: str = Field(default="simulated", description="`simulated` or `live`.")
    seed: int = Field(default=7, description="Seed of the simulated market.")
    extra_symbols_per_venue: int = Field(default=0, description="Simulated extra perpetuals.")
    min_connected_share: float = Field(
        default=0.9,
        description="Coverage check: warn when a streamed venue was connected less than this "
        "share of a day.",
    )
    fetch_deribit: bool = Field(default=True, description="Live: call Deribit's REST history.")
    deribit_api_url: str | None = Field(
        default=None, description="Base URL replacing Deribit's REST host (tests: loopback)."
    )
    data_dir: str | None = Field(default=None, description="Default: PERP_FRAGILITY_DATA_DIR.")

    @property
    def source_label(self) -> str:
        return "simulated" if self.mode == "simulated" else "collector+deribit"

    def data_root(self) -> Path:
        return Path(self.data_dir) if self.data_dir else settings.data_dir()

    def parts_of_day(self, day: date) -> tuple[dict[str, list[tuple[str, pa.Table]]], dict]:
        """dataset -> [(landing part, table)], and notes for the run's metadata."""
        if self.mode == "simulated":
            config = SimulationConfig(extra_symbols_per_venue=self.extra_symbols_per_venue)
            tables = simulate_day(day, self.seed, config, DATASETS)
            return {name: [("simulated", tables[name])] for name in DATASETS}, {}
        if self.mode != "live":
            raise ValueError(f"LiquidationSource.mode={self.mode!r}: choose simulated or live")
        from orchestration.lib.universe import configured_symbols, configured_venues
        from orchestration.sources.liquidations.compaction import compact_stream_day, deribit_day
        from orchestration.sources.live.config import venue_configs

        stream = compact_stream_day(self.data_root(), day)
        parts: dict[str, list[tuple[str, pa.Table]]] = {
            "liquidations": [("stream", stream.liquidations)],
            "liquidation_coverage": [("stream", stream.coverage)],
        }
        notes: dict = {"collector_quarantined": stream.collector_quarantined}
        if self.fetch_deribit and "deribit" in configured_venues():
            (config,) = venue_configs(["deribit"])
            symbols = {s: config.base_of(s) or s.split("/")[0]
                       for s in configured_symbols("deribit") if ":" in s}
            try:
                parts["liquidations"].append(
                    ("deribit", deribit_day(day, symbols, self.deribit_api_url))
                )
            except Exception as exc:  # noqa: BLE001 - one venue failing never stops the day
                notes["deribit_error"] = f"{type(exc).__name__}: {str(exc)[:200]}"
        return parts, notes


def liquidation_source_from_env() -> LiquidationSource:
    """The liquidation source matching ``PERP_FRAGILITY_SOURCE`` / ``PERP_FRAGILITY_SEED``."""
    import os

    mode = os.environ.get("PERP_FRAGILITY_SOURCE", "simulated")
    return LiquidationSource(
        mode="live" if mode == "live" else "simulated",
        seed=int(os.environ.get("PERP_FRAGILITY_SEED", "7")),
    )
