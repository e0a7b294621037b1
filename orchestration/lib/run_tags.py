"""Run tags this project reads or sets: Dagster's documented ones, spelled out here.

Dagster documents these tag strings (single-run backfills of a partition range, the
``dagster job launch --tags`` examples, the run page's tag filter) but exports their constants
only from an internal module, not from its public API. They are part of the run records
stored in every instance, so they are stable across upgrades; the project's own tags carry the
``perp_fragility/`` prefix.
"""

from __future__ import annotations

# A run over a partition range (one run of a single-run backfill, or ``perp-fragility run``).
ASSET_PARTITION_RANGE_START_TAG = "dagster/asset_partition_range_start"
ASSET_PARTITION_RANGE_END_TAG = "dagster/asset_partition_range_end"
# A run of one partition (a schedule tick, a one-partition launch).
PARTITION_NAME_TAG = "dagster/partition"
# On a warehouse run: the landing run it follows (set by the sensor and the CLI).
LANDING_RUN_TAG = "perp_fragility/landing_run"
