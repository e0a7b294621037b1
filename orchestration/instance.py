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
# Written by perp-fragility; see docs/operations.md. Local SQLite storage.
concurrency:
  pools:
    default_limit: 1
telemetry:
  enabled: false
"""


def ensure_dagster_home() -> Path:
    """Point ``DAGSTER_HOME`` at the data directory's instance (unless set) and create it."""
    home = Path(
        os.environ.get("DAGSTER_HOME") or settings.data_dir() / "dagster_home"
    ).resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(INSTANCE_YAML)
    os.environ["DAGSTER_HOME"] = str(home)
    return home
