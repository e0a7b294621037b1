"""The Dagster instance the CLI and ``dagster dev`` share.

``DAGSTER_HOME`` defaults to ``<data dir>/dagster_home`` so the demo's runs, the schedules'
state and the UI all live beside the data they describe. The instance's ``dagster.yaml`` caps
every pool at one concurrent step: the ``duckdb_warehouse`` pool (dbt and the report) then
never has two DuckDB clients competing for the single-writer lock.
"""

from __future__ import annotations

import os
from pathlib import Path

from orchestration.lib import settings

INSTANCE_YAML = """\
# Written by perp-fragility; see docs/operations.md. Local SQLite storage, laid out as
# Dagster's default; the event log writes batches of asset events in one transaction
# (orchestration/event_storage.py).
run_storage:
  module: dagster._core.storage.runs
  class: SqliteRunStorage
  config:
    base_dir: {home}/history/
event_log_storage:
  module: orchestration.event_storage
  class: BatchingSqliteEventLogStorage
  config:
    base_dir: {home}/history/runs/
schedule_storage:
  module: dagster._core.storage.schedules
  class: SqliteScheduleStorage
  config:
    base_dir: {home}/schedules
concurrency:
  pools:
    default_limit: 1
telemetry:
  enabled: false
"""

# One "materialisation planned" event per asset for a partition-range run instead of one per
# asset and partition. A 120-day backfill of the 9 raw assets otherwise writes 1,080 planned
# events to SQLite before the first day lands (13 s of a 37 s, 61-day landing run measured
# with cProfile). Dagster's documented trade-off: if such a run fails, its partitions are not
# individually marked failed (the run itself is, and the alert sensors still fire).
# DAGSTER_EVENT_BATCH_SIZE: hand the per-partition materialisations of one asset to the event
# log as one batch (orchestration/event_storage.py), up to this many at a time.
INSTANCE_ENV = {
    "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS": "true",
    "DAGSTER_EVENT_BATCH_SIZE": "1000",
}


def apply_instance_env() -> None:
    """Set the instance tuning variables unless the operator already chose a value."""
    for name, value in INSTANCE_ENV.items():
        os.environ.setdefault(name, value)


def ensure_dagster_home() -> Path:
    """Point ``DAGSTER_HOME`` at the data directory's instance (unless set) and create it."""
    home = Path(
        os.environ.get("DAGSTER_HOME") or settings.data_dir() / "dagster_home"
    ).resolve()
    config = home / "dagster.yaml"
    try:
        home.mkdir(parents=True, exist_ok=True)
        if not config.exists():
            config.write_text(INSTANCE_YAML.format(home=home))
    except OSError as exc:
        from orchestration.errors import UserError

        raise UserError(
            f"DAGSTER_HOME={home} is not usable ({exc.strerror or exc}): unset it to use "
            f"<{settings.DATA_DIR_ENV}>/dagster_home, or point it at a writable folder"
        ) from exc
    os.environ["DAGSTER_HOME"] = str(home)
    apply_instance_env()
    return home
