"""Asset checks on every raw dataset beyond the landing run's own: freshness, volume and
(exchange datasets) completeness against the configured venues and symbols.

Freshness compares the newest landed partition with the source's publication calendar
(:mod:`orchestration.landing.freshness`) and the wall clock: that is what "fresh" means. Volume
compares the newest day's row count with its trailing 28-day median (a venue returning half
its rows is a partial fetch). Both warn rather than block: stale data is still the best data
there is, and the report states its dates; the blocking check is the venue-day coverage.
Completeness compares each of the newest landed days with what the configured venues and
symbols should give (``landing/coverage.py``); it warns, and ``fct_data_coverage_daily`` keeps
every gap as a row. The reference datasets (CFTC, ETF, rates) have no venues or symbols: their
freshness and volume checks are their completeness.
"""

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.defs.raw_landing import raw_asset_key
from orchestration.landing import landing
from orchestration.landing.coverage import Expectation, coverage_plan, dataset_gaps
from orchestration.landing.freshness import (
    expected_latest_day,
    freshness_as_of,
    landed_days,
    partition_rows,
    row_count_anomaly,
)
from orchestration.landing.raw_schemas import ALL_DATASETS, RawDataset

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


# -- completeness against the configuration ------------------------------------------------

COMPLETENESS = "rows_match_configuration"
#: The completeness check looks at this many of the newest landed days of a dataset (a bound
#: on what it reads; the mart ``fct_data_coverage_daily`` covers the whole history).
COMPLETENESS_DAYS = 31
#: Datasets with venue-day grain: keyed by venue and symbol, dated by a timestamp.
_EXCHANGE = tuple(
    d for d in ALL_DATASETS
    if {"venue", "symbol", "base_asset"} <= set(d.schema.names)
    and {"ts", "funding_ts"} & set(d.schema.names)
)


def _recent_rows(dataset: RawDataset, days: int) -> tuple[list[date], pa.Table]:
    """The newest ``days`` landed day folders of ``dataset`` and their rows (key columns)."""
    folders = sorted(p for p in landing.dataset_dir(dataset).glob("dt=*") if p.is_dir())[-days:]
    columns = ["venue", "symbol", "base_asset", *(c for c in ("funding_ts", "ts")
                                                    if c in dataset.schema.names)]
    files = [f for folder in folders for f in sorted(folder.glob("*.parquet"))]
    schema = pa.schema([dataset.schema.field(c) for c in columns])
    table = (
        pa.concat_tables([pq.read_table(f, columns=columns, schema=schema) for f in files])
        if files
        else schema.empty_table()
    )
    return [date.fromisoformat(p.name.removeprefix("dt=")) for p in folders], table


def completeness_result(
    dataset: RawDataset, days: list[date], table: pa.Table, plan: tuple[Expectation, ...]
) -> dg.AssetCheckResult:
    """Landed rows of ``days`` against what the configured venues and symbols should give."""
    gaps = dataset_gaps(dataset.name, table, days, plan)
    expected = [e for e in plan if e.dataset == dataset.name]
    missing = sorted({(g.day, g.venue) for g in gaps})
    return dg.AssetCheckResult(
        check_name=COMPLETENESS,
        asset_key=raw_asset_key(dataset),
        passed=not gaps,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "days_checked": len(days),
            "first_day": str(days[0]) if days else "none",
            "last_day": str(days[-1]) if days else "none",
            "venues_configured": dg.MetadataValue.json(sorted({e.venue for e in expected})),
            "series_expected": len(expected),
            "series_days_short": len(gaps),
            "venue_days_missing": len(missing),
            "gaps": dg.MetadataValue.md(
                "\n".join(f"- {g.describe()}" for g in gaps[:50]) or "none"
            ),
        },
    )


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            COMPLETENESS,
            asset=raw_asset_key(d),
            description=(
                f"Warns when a configured venue/symbol has fewer rows on one of the newest "
                f"{COMPLETENESS_DAYS} landed days than the configuration implies "
                "(landing/coverage.py coverage_plan)."
            ),
        )
        for d in _EXCHANGE
    ],
    can_subset=True,
)
def raw_completeness(context: dg.AssetCheckExecutionContext) -> Iterator[dg.AssetCheckResult]:
    plan = coverage_plan()
    for check_key in context.selected_asset_check_keys:
        dataset = _BY_KEY[check_key.asset_key]
        days, table = _recent_rows(dataset, COMPLETENESS_DAYS)
        yield completeness_result(dataset, days, table, plan)
