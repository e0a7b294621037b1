"""The three runs every command is made of: land a range of days, build the warehouse, render
a week. Each is one in-process run of the job the schedules and sensors run, on the instance in
``$DAGSTER_HOME``, so ``make dev`` shows every run a command made."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dagster import DagsterInstance

# Step-level progress without Dagster's per-event DEBUG lines.
CONSOLE_INFO = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
# The market a landing run fetched (source, seed, universe): see :func:`market_identity`.
MARKET_TAG = "perp_fragility/market"


def market_settings() -> tuple[str, ...]:
    """The environment variables that decide what a landing writes for a day (their owners'
    names: the source and seed of defs/resources.py, the universe of lib/universe.py)."""
    from orchestration.defs.resources import SEED_ENV, SOURCE_ENV
    from orchestration.lib import universe

    return (SOURCE_ENV, SEED_ENV, universe.VENUES_ENV, universe.SYMBOLS_ENV,
            universe.DATASETS_ENV, universe.API_URLS_ENV)


def market_identity() -> str:
    """The market settings in force, as one string: two landings with the same identity wrote
    the same rows for a simulated day (a live day may differ: the venue may have revised it)."""
    import os

    return ";".join(f"{name}={os.environ.get(name, '')}" for name in market_settings())


def definitions():  # noqa: ANN201 - dagster's Definitions, imported lazily for a fast --help
    from orchestration.definitions import defs

    return defs()


def instance_or_default(instance: DagsterInstance | None) -> DagsterInstance:
    from dagster import DagsterInstance

    return instance or DagsterInstance.get()


def land_range(
    start: date,
    end: date,
    instance: DagsterInstance | None = None,
    *,
    run_config: dict[str, Any] | None = None,
) -> str:
    """Land [start, end] as one run of ``daily_market_job`` (a single-run backfill); return
    the run id. ``run_config`` is merged into the run's config (resource settings)."""
    from orchestration.defs.partitions import FIRST_DATE_ENV, daily_partitions
    from orchestration.errors import UserError
    from orchestration.lib.run_tags import (
        ASSET_PARTITION_RANGE_END_TAG,
        ASSET_PARTITION_RANGE_START_TAG,
    )

    if end < start:
        raise UserError(f"--end {end} is before --start {start}")
    first = date.fromisoformat(daily_partitions.get_first_partition_key())
    if start < first:
        raise UserError(
            f"{start} is before the first daily partition {first}: "
            f"set {FIRST_DATE_ENV}={start} (for `make dev` too) to land earlier days"
        )
    job = definitions().resolve_job_def("daily_market_job")
    range_tags = {
        ASSET_PARTITION_RANGE_START_TAG: start.isoformat(),
        ASSET_PARTITION_RANGE_END_TAG: end.isoformat(),
        MARKET_TAG: market_identity(),
    }
    began = time.perf_counter()
    result = job.execute_in_process(
        instance=instance_or_default(instance),
        tags=range_tags,
        run_config={**CONSOLE_INFO, **(run_config or {})},
    )
    if not result.success:
        raise SystemExit("daily_market_job failed: see the run in the Dagster UI (make dev)")
    print(f"landed {start}..{end} in {time.perf_counter() - began:.1f} s")
    return result.run_id


def build_warehouse(
    instance: DagsterInstance | None = None,
    *,
    landed_from: date | None = None,
    landing_run_id: str | None = None,
    full_refresh: bool = False,
) -> None:
    """One run of ``warehouse_job`` (dbt build), as ``warehouse_after_landing`` starts it:
    told the first day the landing before it wrote, so it chooses incremental or full."""
    from orchestration.defs.imports import FULL_REFRESH
    from orchestration.lib.run_tags import LANDING_RUN_TAG
    from orchestration.warehouse.fingerprint import FINGERPRINT_TAG, dbt_fingerprint
    from orchestration.warehouse.incremental import LANDED_FROM_TAG

    tags = {FINGERPRINT_TAG: dbt_fingerprint()}
    if landing_run_id:
        tags[LANDING_RUN_TAG] = landing_run_id
    if landed_from:
        tags[LANDED_FROM_TAG] = landed_from.isoformat()
    run_config: dict[str, Any] = {**CONSOLE_INFO, **(FULL_REFRESH if full_refresh else {})}
    began = time.perf_counter()
    build = definitions().resolve_job_def("warehouse_job").execute_in_process(
        instance=instance_or_default(instance), tags=tags, run_config=run_config
    )
    if not build.success:
        raise SystemExit("warehouse_job (dbt build) failed: see the run in the Dagster UI")
    print(f"built the warehouse in {time.perf_counter() - began:.1f} s")


def run_range(
    start: date,
    end: date,
    instance: DagsterInstance | None = None,
    *,
    run_config: dict[str, Any] | None = None,
) -> None:
    """Land [start, end] as one run, then build the warehouse once, as the
    ``warehouse_after_landing`` sensor does under the daemon."""
    run_id = land_range(start, end, instance, run_config=run_config)
    build_warehouse(instance, landed_from=start, landing_run_id=run_id)


def render_week(
    iso_week: str, instance: DagsterInstance | None = None, *, force: bool = False
) -> Path:
    """Run the weekly report job for ``iso_week``; print and return the PDF path.

    A week that cannot be reported (no data, not a partition) is a user error before the job
    runs (orchestration/commands/report_week.py). A PDF rendered from the same inputs is not
    rendered again unless ``force`` (orchestration/lib/report_inputs.py)."""
    from orchestration.commands.report_week import report_is_current, require_reportable
    from orchestration.lib.report_inputs import PDF_ASSET_PATH
    from orchestration.lib.weeks import report_path, week_partition_key

    instance = instance_or_default(instance)
    if not force and report_is_current(iso_week, instance):
        return report_path(iso_week)
    require_reportable(iso_week)
    job = definitions().resolve_job_def("weekly_report_job")
    result = job.execute_in_process(
        instance=instance,
        partition_key=week_partition_key(iso_week),
        run_config=CONSOLE_INFO,
    )
    if not result.success:
        raise SystemExit(f"weekly_report_job failed for {iso_week}")
    pdf_key = list(PDF_ASSET_PATH)
    meta = next(
        e.materialization.metadata
        for e in result.get_asset_materialization_events()
        if e.materialization.asset_key.path == pdf_key
    )
    for event in result.get_asset_materialization_events():
        if event.materialization.asset_key.path[-1] == "weekly_report_delivery":
            for channel, outcome in event.materialization.metadata["channels"].value.items():
                print(f"delivery {channel}: {outcome}")
    print(
        f"report {iso_week}: {meta['pages'].value} pages, rendered in "
        f"{meta['render_seconds'].value:.2f} s"
    )
    print(report_path(iso_week))
    return report_path(iso_week)
