"""When the warehouse's incremental dbt build would miss landed data.

Incremental models (dbt_project/macros/incremental.sql) re-read only the raw partitions from
``incremental_lookback_days`` before the newest day they hold. A landing run that rewrites an
older day (a backfill of history, a re-run of last month) would then change raw files no
incremental build reads again, so the warehouse asset switches to ``--full-refresh`` for it.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb

from orchestration.lib import settings
from orchestration.lib.dbt_vars import project_vars

# Tag on a warehouse run: the first day the landing run before it wrote.
LANDED_FROM_TAG = "perp_fragility/landed_from"
# The freshest dataset: its newest settlement day bounds every incremental model's window.
HIGH_WATER_QUERY = "select max(cast(funding_ts as date)) from main.stg_funding_rates"


def lookback_days() -> int:
    """``incremental_lookback_days``: how far back an incremental build re-reads."""
    return int(project_vars()["incremental_lookback_days"])


def warehouse_high_water() -> date | None:
    """Newest funding day in the warehouse; None when it has none (a first build follows).

    The caller holds the warehouse lock, so this read-only connection meets no writer.
    """
    path = settings.warehouse_path()
    if not path.exists():
        return None
    with duckdb.connect(str(path), read_only=True) as con:
        try:
            rows = con.execute(HIGH_WATER_QUERY).fetchall()
        except duckdb.CatalogException:
            return None
    return rows[0][0] if rows else None


def needs_full_refresh(landed_from: date | None) -> bool:
    """True when ``landed_from`` lies before the window an incremental build would re-read."""
    if landed_from is None:
        return False
    high_water = warehouse_high_water()
    return high_water is not None and landed_from < high_water - timedelta(days=lookback_days())


def routine_test_since(high_water: date | None) -> date | None:
    """First day a routine incremental build can change: the data tests' window (``test_since``).

    Incremental models re-read from ``incremental_lookback_days`` before the newest day they
    hold and every other model is rebuilt from them, so a row before this day is the same as
    before the build. None (test every row) when the warehouse is empty: a first build.
    """
    return None if high_water is None else high_water - timedelta(days=lookback_days())
