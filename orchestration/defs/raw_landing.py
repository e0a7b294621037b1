"""Raw landing assets: one multi-asset per source domain, daily partitions, Parquet out.

Each asset key equals its dbt source key (``raw/<dataset>``), so the UI reads
ingest -> staging -> marts -> report as one graph. A run covers one day or, under the
single-run backfill policy, a whole partition range: the asset walks the range day by day,
lands each day atomically and reports what it kept and what it quarantined.
"""

import json
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta

import dagster as dg
import pyarrow as pa

from orchestration.defs.partitions import daily_partitions
from orchestration.lib import landing, settings
from orchestration.lib.coverage import funding_gaps
from orchestration.lib.raw_schemas import ALL_DATASETS, FUNDING_RATES, RawDataset
from orchestration.lib.venues import venue_rules
from orchestration.resources.keys import DOMAIN_SOURCES
from orchestration.resources.market_source import MarketSourceResource

COVERAGE_CHECK = "venue_day_coverage"
QUARANTINE_CHECK = "no_quarantined_rows"

# Network sources fail transiently; a bounded, jittered exponential retry rides out blips
# without hammering a venue that is rate-limiting us.
NETWORK_RETRY = dg.RetryPolicy(
    max_retries=3, delay=30, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)


def raw_asset_key(dataset: RawDataset) -> dg.AssetKey:
    return dg.AssetKey(["raw", dataset.name])


def partition_days(context: dg.AssetExecutionContext) -> list[date]:
    """The UTC days this run covers (one partition, or a range under single-run backfill)."""
    window = context.partition_time_window
    first, stop = window.start.date(), window.end.date()
    return [first + timedelta(days=i) for i in range((stop - first).days)]


def _check_specs(datasets: tuple[RawDataset, ...]) -> list[dg.AssetCheckSpec]:
    specs = [
        dg.AssetCheckSpec(
            QUARANTINE_CHECK,
            asset=raw_asset_key(d),
            description="Warns when rows of this run were rejected into the quarantine.",
        )
        for d in datasets
    ]
    if FUNDING_RATES in datasets:
        specs.append(
            dg.AssetCheckSpec(
                COVERAGE_CHECK,
                asset=raw_asset_key(FUNDING_RATES),
                blocking=True,
                description=(
                    "Fails when a configured venue perpetual has fewer funding settlements on a "
                    "day than its interval implies (a missing or partial venue-day)."
                ),
            )
        )
    return specs


def _funding_coverage_result(days: list[date], funding: pa.Table) -> dg.AssetCheckResult:
    gaps = funding_gaps(funding, days, venue_rules())
    return dg.AssetCheckResult(
        check_name=COVERAGE_CHECK,
        asset_key=raw_asset_key(FUNDING_RATES),
        passed=not gaps,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "venue_days_expected": len(days) * len(venue_rules()),
            "venue_days_missing": len(gaps),
            "gaps": dg.MetadataValue.md(
                "\n".join(f"- {g.describe()}" for g in gaps[:50]) or "none"
            ),
        },
    )


def build_raw_domain_asset(domain: str) -> dg.AssetsDefinition:
    """The multi-asset landing every raw dataset of ``domain`` from its source resource."""
    datasets = tuple(d for d in ALL_DATASETS if d.domain == domain)
    resource_key = DOMAIN_SOURCES[domain]
    by_key = {raw_asset_key(d): d for d in datasets}

    @dg.multi_asset(
        name=f"land_{domain}",
        specs=[
            dg.AssetSpec(
                raw_asset_key(d),
                description=f"{d.description} Grain: {', '.join(d.key)}. Source: `{resource_key}`.",
                group_name=f"raw_{domain}",
                kinds={"parquet", "python"},
                metadata={"landing_path": str(landing.dataset_dir(d)), "columns": d.schema.names},
                skippable=True,
            )
            for d in datasets
        ],
        check_specs=_check_specs(datasets),
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        retry_policy=NETWORK_RETRY,
        required_resource_keys={resource_key},
        can_subset=True,
    )
    def _land(
        context: dg.AssetExecutionContext,
    ) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        source: MarketSourceResource = getattr(context.resources, resource_key)
        selected = [by_key[k] for k in context.selected_asset_keys]
        names = frozenset(d.name for d in selected)
        days = partition_days(context)
        rows: Counter[str] = Counter()
        rejected: dict[str, Counter[str]] = {d.name: Counter() for d in selected}
        landed_funding: list[pa.Table] = []
        for day in days:
            tables = source.fetch_day(day, names)
            for dataset in selected:
                result = landing.land_partition(dataset, day, tables[dataset.name])
                rows[dataset.name] += result.rows
                rejected[dataset.name].update(result.rejected_by_reason)
                if dataset is FUNDING_RATES:
                    landed_funding.append(result.kept)
        context.log.info(
            f"landed {len(days)} day(s) {days[0]}..{days[-1]} from {source.source_label}: "
            + ", ".join(f"{n}={rows[n]}" for n in sorted(names))
        )
        for dataset in selected:
            bad = sum(rejected[dataset.name].values())
            yield dg.MaterializeResult(
                asset_key=raw_asset_key(dataset),
                metadata={
                    "dagster/row_count": rows[dataset.name],
                    "rows_rejected": bad,
                    "rejected_by_reason": dg.MetadataValue.json(dict(rejected[dataset.name])),
                    "days": len(days),
                    "first_day": days[0].isoformat(),
                    "last_day": days[-1].isoformat(),
                    "source": source.source_label,
                    "path": dg.MetadataValue.path(str(landing.dataset_dir(dataset))),
                    "quarantine_path": dg.MetadataValue.path(
                        str(settings.quarantine_dir() / dataset.domain / dataset.name)
                    ),
                },
            )
            yield dg.AssetCheckResult(
                check_name=QUARANTINE_CHECK,
                asset_key=raw_asset_key(dataset),
                passed=bad == 0,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={
                    "rows_rejected": bad,
                    "reasons": json.dumps(dict(rejected[dataset.name])),
                },
            )
        if FUNDING_RATES.name in names:
            yield _funding_coverage_result(days, pa.concat_tables(landed_funding))

    return _land


raw_domain_assets = [build_raw_domain_asset(domain) for domain in DOMAIN_SOURCES]
