"""Jobs and their schedules, in UTC.

- ``daily_market_job``: every raw dataset for one UTC day. It runs at 00:45 UTC for
  *yesterday's* partition: the 00:00 UTC funding settlement closes the day and is published
  within minutes; 45 minutes leaves a margin for late venue APIs. A backfill of a range is one
  run (single-run backfill policy).
- ``warehouse_job``: ``dbt build`` of every model, started by ``warehouse_after_landing`` when
  a landing run succeeds, so dbt runs once per landing run, however many days it landed.
- ``weekly_report_job``: the PDF for the ISO week just ended, Mondays 02:00 UTC, after the
  daily run for Sunday.
Both are partitioned jobs, so the schedule targets the right partition and the UI shows which
days and weeks are done. Schedules start stopped; turn them on in the UI (Automation) or with
``dagster schedule start daily_market_job_schedule``.
"""

import dagster as dg

from orchestration.defs.dbt_models import WAREHOUSE_SELECTION
from orchestration.defs.distribution import weekly_report_delivery
from orchestration.defs.liquidations import land_liquidations
from orchestration.defs.partitions import daily_partitions, weekly_partitions
from orchestration.defs.raw_landing import raw_domain_assets
from orchestration.defs.report import weekly_fragility_pdf
from orchestration.lib.run_tags import (
    ASSET_PARTITION_RANGE_START_TAG,
    LANDING_RUN_TAG,
    PARTITION_NAME_TAG,
)
from orchestration.warehouse.fingerprint import FINGERPRINT_TAG, dbt_fingerprint
from orchestration.warehouse.incremental import LANDED_FROM_TAG

daily_market_job = dg.define_asset_job(
    "daily_market_job",
    selection=dg.AssetSelection.assets(*raw_domain_assets, land_liquidations),
    partitions_def=daily_partitions,
    description="Land one UTC day (or a range, as one run) of every raw dataset.",
)

warehouse_job = dg.define_asset_job(
    "warehouse_job",
    selection=WAREHOUSE_SELECTION,
    description="Rebuild the DuckDB warehouse (dbt build: models and data tests) from raw.",
)


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[daily_market_job],
    request_job=warehouse_job,
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
)
def warehouse_after_landing(context: dg.RunStatusSensorContext) -> dg.RunRequest:
    """Build the warehouse once after each successful landing run, telling it the first
    day that run landed (it decides between an incremental build and a full refresh)."""
    run = context.dagster_run
    tags = {LANDING_RUN_TAG: run.run_id, FINGERPRINT_TAG: dbt_fingerprint()}
    landed_from = run.tags.get(ASSET_PARTITION_RANGE_START_TAG) or run.tags.get(PARTITION_NAME_TAG)
    if landed_from:
        tags[LANDED_FROM_TAG] = landed_from
    return dg.RunRequest(run_key=f"warehouse-after-{run.run_id}", tags=tags)


weekly_report_job = dg.define_asset_job(
    "weekly_report_job",
    selection=dg.AssetSelection.assets(weekly_fragility_pdf, weekly_report_delivery),
    partitions_def=weekly_partitions,
    description="Render the weekly fragility PDF for one ISO week and distribute it.",
)

daily_market_schedule = dg.build_schedule_from_partitioned_job(
    daily_market_job, hour_of_day=0, minute_of_hour=45
)
weekly_report_schedule = dg.build_schedule_from_partitioned_job(
    weekly_report_job, day_of_week=1, hour_of_day=2, minute_of_hour=0
)
