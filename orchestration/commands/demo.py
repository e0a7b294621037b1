"""``perp-fragility demo``: the offline end-to-end path, and why a second run is quick.

The demo lands a fixed window of the simulated market, builds the warehouse and renders the
window's last complete week. Raw partitions are immutable and the simulated market is a pure
function of its seed and configuration, so a re-run lands only the days this instance has not
materialised for that same market, and builds the warehouse only when something changed since
its last build: a landing or import after it, or a different dbt project
(:mod:`orchestration.warehouse.fingerprint`). ``--force`` lands and builds everything again.
Dagster stores one event per asset and day, so re-landing 448 days costs about two minutes on
the stock SQLite instance however little changed (docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING

from orchestration.commands.pipeline import (
    MARKET_TAG,
    build_warehouse,
    land_range,
    market_identity,
    render_week,
)

if TYPE_CHECKING:
    import dagster as dg

# Runs that never change raw files or the warehouse (their order does not matter here).
READ_ONLY_JOBS = frozenset({"weekly_report_job"})
DBT_CHANGED = "the dbt project changed since the last build"


def run_demo(
    start: date, end: date, *, force: bool = False, instance: dg.DagsterInstance | None = None
) -> None:
    """Land what is missing of [start, end], build the warehouse if stale, render the week
    (on ``instance``, default the one in ``$DAGSTER_HOME``)."""
    import dagster as dg

    if instance is None:
        with dg.DagsterInstance.get() as home:
            return run_demo(start, end, force=force, instance=home)
    from orchestration.lib.weeks import last_complete_week

    missing = [start + timedelta(n) for n in range((end - start).days + 1)]
    if not force:
        missing = unlanded_days(instance, missing)
    landed: list[tuple[date, str]] = []
    for first, last in contiguous_runs(missing):
        landed.append((first, land_range(first, last, instance)))
    if not missing:
        print(f"{start}..{end} already landed from this market: nothing to fetch")
    if force:
        stale: str | None = "--force"
    elif landed:
        stale = f"{len(missing)} day(s) landed"
    else:
        stale = warehouse_staleness(instance)
    if stale is None:
        print("the warehouse is current (built after the last landing, same dbt project)")
    else:
        print(f"building the warehouse: {stale}")
        build_warehouse(
            instance,
            landed_from=min((d for d, _ in landed), default=start),
            landing_run_id=landed[-1][1] if landed else None,
            full_refresh=force or stale == DBT_CHANGED,
        )
    render_week(last_complete_week(end), instance, force=force)


def landing_asset_keys() -> list[dg.AssetKey]:
    """Every asset ``daily_market_job`` materialises per day."""
    from orchestration.defs.liquidations import land_liquidations
    from orchestration.defs.raw_landing import raw_domain_assets

    return [key for assets in (*raw_domain_assets, land_liquidations) for key in assets.keys]


def unlanded_days(instance: dg.DagsterInstance, days: list[date]) -> list[date]:
    """The days of ``days`` some landing asset has not materialised, or all of them when the
    last landing was of another market (source, seed, venues, symbols or datasets)."""
    import dagster as dg

    from orchestration.defs.partitions import daily_partitions

    keys = landing_asset_keys()
    latest = instance.get_latest_materialization_event(keys[0])
    run = instance.get_run_by_id(latest.run_id) if latest else None
    if run is None or run.tags.get(MARKET_TAG) != market_identity():
        return days
    partition_keys = [d.isoformat() for d in days]
    done = set(partition_keys)
    for key in keys:
        status = instance.get_status_by_partition(key, partition_keys, daily_partitions) or {}
        done &= {k for k, s in status.items() if s == dg.AssetPartitionStatus.MATERIALIZED}
    return [d for d, k in zip(days, partition_keys, strict=True) if k not in done]


def contiguous_runs(days: list[date]) -> Iterator[tuple[date, date]]:
    """Sorted days folded into (first, last) runs of consecutive days: one landing run each."""
    first = last = None
    for day in sorted(days):
        if last is not None and day == last + timedelta(1):
            last = day
            continue
        if first is not None:
            yield first, last
        first = last = day
    if first is not None:
        yield first, last


def warehouse_staleness(instance: dg.DagsterInstance) -> str | None:
    """Why the warehouse needs a build, or None when the newest run that could have changed
    raw data or the warehouse is a successful ``warehouse_job`` of the current dbt project."""
    import dagster as dg

    from orchestration.lib.settings import warehouse_path
    from orchestration.warehouse.fingerprint import FINGERPRINT_TAG, dbt_fingerprint

    if not warehouse_path().exists():
        return "no warehouse"
    records = instance.get_run_records(limit=50)
    newest = next((r.dagster_run for r in records if r.dagster_run.job_name not in READ_ONLY_JOBS),
                  None)
    if newest is None:
        return "no warehouse build among the instance's latest runs"
    if newest.job_name != "warehouse_job":
        return f"{newest.job_name} ran after the last build"
    if newest.status != dg.DagsterRunStatus.SUCCESS:
        return "the last build did not succeed"
    if newest.tags.get(FINGERPRINT_TAG) != dbt_fingerprint():
        return DBT_CHANGED
    return None
