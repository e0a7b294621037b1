"""Daily landing of ``raw/liquidations`` and ``raw/liquidation_coverage``.

A stream cannot be a daily batch: the long-running collector (``perp-fragility
collect-liquidations``) writes hourly files; this asset compacts one UTC day of them into the
day's immutable partition (plus Deribit's REST history), or lands the simulated market's day.
It is part of ``daily_market_job``, so ``perp-fragility run --start D --end D`` lands it; with
``--datasets`` (``PERP_FRAGILITY_DATASETS``) it lands only when ``liquidations`` or
``liquidation_coverage`` is named, and ``liquidations`` brings its coverage record along (without
it every day would read unknown), so ``--datasets liquidations`` lands exactly these two.

Checks: ``no_quarantined_rows`` on both datasets (warn), and ``collector_coverage`` on
``raw/liquidations``: fails when a configured streamed venue has no coverage record and no row
on a day (no collector ran), warns when it was connected less than the configured share.
"""

from collections import Counter
from collections.abc import Iterator

import dagster as dg
import pyarrow as pa

from orchestration.defs.partitions import daily_partitions
from orchestration.defs.raw_landing import (
    landed_metadata,
    partition_days,
    quarantine_check_specs,
    quarantine_result,
    raw_asset_key,
)
from orchestration.landing import landing
from orchestration.landing.raw_schemas import (
    ALL_DATASETS,
    LIQUIDATION_COVERAGE,
    LIQUIDATIONS,
    RawDataset,
)
from orchestration.lib.universe import configured_datasets, configured_venues
from orchestration.resources.liquidation_source import LiquidationSource
from orchestration.sources.liquidations.compaction import coverage_findings
from orchestration.sources.liquidations.venues import EXCHANGE_IDS

COVERAGE_CHECK = "collector_coverage"
DATASETS = (LIQUIDATIONS, LIQUIDATION_COVERAGE)


def configured_liquidation_datasets() -> tuple[RawDataset, ...]:
    """The liquidation datasets this run lands (``--datasets``): the configured ones, with the
    coverage record whenever liquidations are landed, since a day without it reads unknown."""
    wanted = set(configured_datasets(tuple(d.name for d in ALL_DATASETS)))
    if LIQUIDATIONS.name in wanted:
        wanted.add(LIQUIDATION_COVERAGE.name)
    return tuple(d for d in DATASETS if d.name in wanted)


@dg.multi_asset(
    name="land_liquidations",
    specs=[
        dg.AssetSpec(
            raw_asset_key(d),
            description=f"{d.description} Grain: {', '.join(d.key)}. Source: "
            "`liquidation_source` (collector files + Deribit REST, or the simulated market).",
            group_name="raw_liquidations",
            kinds={"parquet", "python"},
            metadata={"landing_path": str(landing.dataset_dir(d)), "columns": d.schema.names},
            skippable=True,
        )
        for d in DATASETS
    ],
    check_specs=[
        *quarantine_check_specs(DATASETS),
        dg.AssetCheckSpec(
            COVERAGE_CHECK,
            asset=raw_asset_key(LIQUIDATIONS),
            description=(
                "Fails when a configured streamed venue has no coverage record and no row on a "
                "day (no collector ran); warns below the configured connected share."
            ),
        ),
    ],
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    can_subset=True,
)
def land_liquidations(
    context: dg.AssetExecutionContext, liquidation_source: LiquidationSource
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    wanted = configured_liquidation_datasets()
    selected = [d for d in wanted if raw_asset_key(d) in context.selected_asset_keys]
    if not selected:
        context.log.info("no liquidation dataset configured: liquidation_source not contacted")
        return
    days = partition_days(context)
    rows: Counter[str] = Counter()
    rejected: dict[str, Counter[str]] = {d.name: Counter() for d in DATASETS}
    seen: dict[str, list[pa.Table]] = {d.name: [] for d in DATASETS}
    notes: dict[str, object] = {}
    for day in days:
        parts, day_notes = liquidation_source.parts_of_day(day)
        for key, value in day_notes.items():
            notes[f"{day}:{key}"] = value
        for dataset in DATASETS:
            for part, table in parts[dataset.name]:
                if dataset not in selected:  # still needed by the coverage check
                    seen[dataset.name].append(landing.split_valid(dataset, table)[0])
                    continue
                result = landing.land_partition(dataset, day, table, part=part)
                seen[dataset.name].append(result.kept)
                rows[dataset.name] += result.rows
                rejected[dataset.name].update(result.rejected_by_reason)
    context.log.info(
        f"landed liquidations {days[0]}..{days[-1]} from {liquidation_source.source_label}: "
        + ", ".join(f"{d.name}={rows[d.name]}" for d in selected)
    )
    for dataset in selected:
        yield dg.MaterializeResult(
            asset_key=raw_asset_key(dataset),
            metadata={
                "dagster/row_count": rows[dataset.name],
                **landed_metadata(dataset, days, liquidation_source.source_label,
                                  rejected[dataset.name]),
                "notes": dg.MetadataValue.json(notes),
            },
        )
        yield quarantine_result(dataset, rejected[dataset.name])
    if LIQUIDATIONS in selected:
        venues = [v for v in configured_venues() if v in EXCHANGE_IDS]
        findings = coverage_findings(
            days, venues, pa.concat_tables(seen[LIQUIDATIONS.name]),
            pa.concat_tables(seen[LIQUIDATION_COVERAGE.name]),
            liquidation_source.min_connected_share,
        )
        missing = [f for f in findings if f.missing]
        yield dg.AssetCheckResult(
            check_name=COVERAGE_CHECK,
            asset_key=raw_asset_key(LIQUIDATIONS),
            passed=not findings,
            severity=dg.AssetCheckSeverity.ERROR if missing else dg.AssetCheckSeverity.WARN,
            metadata={
                "venue_days_expected": len(days) * len(venues),
                "venue_days_without_data": len(missing),
                "venue_days_below_share": len(findings) - len(missing),
                "min_connected_share": liquidation_source.min_connected_share,
                "findings": dg.MetadataValue.md(
                    "\n".join(f"- {f.describe()}" for f in findings[:50]) or "none"
                ),
            },
        )
