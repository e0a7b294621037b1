"""Asset checks on every raw dataset beyond the landing run's own: freshness and volume.

Freshness compares the newest landed partition with the source's publication calendar
(:mod:`orchestration.lib.freshness`) and the wall clock: that is what "fresh" means. Volume
compares the newest day's row count with its trailing 28-day median (a venue returning half
its rows is a partial fetch). Both warn rather than block: stale data is still the best data
there is, and the report states its dates; the blocking check is the venue-day coverage.
"""

import os
from collections.abc import Iterator
from datetime import UTC, datetime

import dagster as dg

from orchestration.defs.raw_landing import raw_asset_key
from orchestration.lib import landing
from orchestration.lib.freshness import (
    expected_latest_day,
    freshness_as_of,
    landed_days,
    partition_rows,
    row_count_anomaly,
)
from orchestration.lib.raw_schemas import ALL_DATASETS

FRESHNESS = "fresh_against_calendar"
VOLUME = "row_count_in_line"
_BY_KEY = {raw_asset_key(d): d for d in ALL_DATASETS}


@dg.multi_asset_check(
    specs=[
        spec
        for d in ALL_DATASETS
        for spec in (
            dg.AssetCheckSpec(
                FRESHNESS,
                asset=raw_asset_key(d),
                description="Warns when the newest landed day lags the source's publication "
                "calendar, judged as of today (live) or the data's own end (simulated).",
            ),
            dg.AssetCheckSpec(
                VOLUME,
                asset=raw_asset_key(d),
                description="Warns when the newest day's rows stray from the 28-day median.",
            ),
        )
    ],
    can_subset=True,
)
def raw_freshness_and_volume(
    context: dg.AssetCheckExecutionContext,
) -> Iterator[dg.AssetCheckResult]:
    today, as_of_rule = freshness_as_of(
        os.environ.get("PERP_FRAGILITY_SOURCE", "simulated"),
        datetime.now(UTC).date(),
        landed_days(landing.dataset_dir(d) for d in ALL_DATASETS),
    )
    for check_key in context.selected_asset_check_keys:
        dataset = _BY_KEY[check_key.asset_key]
        rows = partition_rows(landing.dataset_dir(dataset))
        # the newest day with rows: weekends (ETF) and non-report days (CFTC) land empty files
        latest = max((day for day, n in rows.items() if n > 0), default=None)
        if check_key.name == FRESHNESS:
            expected = expected_latest_day(dataset.domain, today)
            lag = (expected - latest).days if latest else None
            yield dg.AssetCheckResult(
                check_name=FRESHNESS,
                asset_key=check_key.asset_key,
                passed=lag is not None and lag <= 0,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={
                    "latest_landed": str(latest),
                    "expected_latest": expected.isoformat(),
                    "judged_as_of": f"{today} ({as_of_rule})",
                    "days_behind": lag if lag is not None else -1,
                },
            )
        else:
            problem = row_count_anomaly(rows, latest) if latest else None
            yield dg.AssetCheckResult(
                check_name=VOLUME,
                asset_key=check_key.asset_key,
                passed=problem is None,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={
                    "latest_rows": rows.get(latest, 0) if latest else 0,
                    "finding": problem or "in line",
                },
            )
