"""Jobs and their schedules, in UTC.

- ``daily_market_job``: every raw dataset plus the dbt models for one UTC day. It runs at
  00:45 UTC for *yesterday's* partition: the 00:00 UTC funding settlement closes the day and is
  published within minutes; 45 minutes leaves a margin for late venue APIs.
- ``weekly_report_job``: the PDF for the ISO week just ended, Mondays 02:00 UTC, after the
  daily run for Sunday.
Both are partitioned jobs, so the schedule targets the right partition and the UI shows which
days and weeks are done. Schedules start stopped; turn them on in the UI (Automation) or with
``dagster schedule start daily_market_job_schedule``.
"""

import dagster as dg
from dagster_dbt import build_dbt_asset_selection

from orchestration.defs.dbt_models import warehouse_models
from orchestration.defs.distribution import weekly_report_delivery
from orchestration.defs.partitions import daily_partitions, weekly_partitions
from orchestration.defs.raw_landing import raw_domain_assets
from orchestration.defs.report import weekly_fragility_pdf

daily_market_job = dg.define_asset_job(
    "daily_market_job",
    selection=dg.AssetSelection.assets(*raw_domain_assets)
    | build_dbt_asset_selection([warehouse_models]),
    partitions_def=daily_partitions,
    description="Land one UTC day of every raw dataset and rebuild the warehouse.",
)

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
