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
# Written by perp-fragility; see docs/operations.md. Dagster's own local SQLite storage
# (runs in history/, the event log in history/runs/, schedules in schedules/); production
# instances use PostgreSQL (deploy/dagster.yaml, docs/deployment.md).
storage:
  sqlite:
    base_dir: {home}
concurrency:
  pools:
    default_limit: 1
telemetry:
  enabled: false
"""
# What earlier versions wrote: a custom event log storage class, since removed (public
# Dagster API only). Such a file is replaced; an operator's own dagster.yaml is never touched.
_RETIRED_MARKERS = ("orchestration.event_storage", "BatchingSqliteEventLogStorage")


def _is_retired_config(text: str) -> bool:
    return text.startswith("# Written by perp-fragility") and any(
        marker in text for marker in _RETIRED_MARKERS
    )


def dagster_home() -> Path:
    """``DAGSTER_HOME``, else ``<data dir>/dagster_home`` (where the CLI puts the instance)."""
    return Path(os.environ.get("DAGSTER_HOME") or settings.data_dir() / "dagster_home").resolve()


def ensure_dagster_home() -> Path:
    """Point ``DAGSTER_HOME`` at the data directory's instance (unless set) and create it."""
    home = dagster_home()
    config = home / "dagster.yaml"
    try:
        home.mkdir(parents=True, exist_ok=True)
        if not config.exists() or _is_retired_config(config.read_text()):
            config.write_text(INSTANCE_YAML.format(home=home))
    except OSError as exc:
        from orchestration.errors import UserError

        raise UserError(
            f"DAGSTER_HOME={home} is not usable ({exc.strerror or exc}): unset it to use "
            f"<{settings.DATA_DIR_ENV}>/dagster_home, or point it at a writable folder"
        ) from exc
    os.environ["DAGSTER_HOME"] = str(home)
    return home
