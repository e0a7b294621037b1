"""Raw landing assets: one multi-asset per source domain, daily partitions, Parquet out.

Each asset key equals its dbt source key (``raw/<dataset>``), so the UI reads
ingest -> staging -> marts -> report as one graph. A run covers one day or, under the
single-run backfill policy, a whole partition range: the landing engine
(``orchestration.sources.live.backfill.land_range``) fetches the range in the source's windows
(the live source: about half a year per window, in the venues' largest pages), lands each day
atomically with its outcome record, and the asset reports what it kept and quarantined.

Only the configured datasets are landed (``PERP_FRAGILITY_DATASETS`` / ``--datasets``); a
domain none of whose datasets is selected never contacts its source. A reference source that
fails after its own bounded retries fails the step at once, naming the source: the step's
retry policy is for whole-step failures, not a second retry loop around every request.
"""

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, timedelta

import dagster as dg
import pyarrow as pa

from orchestration.defs.partitions import daily_partitions
from orchestration.landing import landing
from orchestration.landing.coverage import (
    configured_rules,
    funding_gaps,
    served_rules,
    write_plan,
)
from orchestration.landing.raw_schemas import ALL_DATASETS, FUNDING_RATES, RawDataset
from orchestration.lib import settings
from orchestration.lib.universe import configured_datasets
from orchestration.resources.keys import DOMAIN_SOURCES
from orchestration.resources.market_source import MarketSourceResource
from orchestration.sources.live.backfill import WindowFetchFailed, land_range

COVERAGE_CHECK = "venue_day_coverage"
QUARANTINE_CHECK = "no_quarantined_rows"

# Whole-step failures only (a killed worker, a full disk): every request already has its own
# bounded budget (docs/live-sources.md), and a source that exhausted it fails the step with
# ``allow_retries=False``, so the two never multiply.
STEP_RETRY = dg.RetryPolicy(
    max_retries=1, delay=30, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)


def raw_asset_key(dataset: RawDataset) -> dg.AssetKey:
    return dg.AssetKey(["raw", dataset.name])


def partition_days(context: dg.AssetExecutionContext) -> list[date]:
    """The UTC days this run covers (one partition, or a range under single-run backfill)."""
    window = context.partition_time_window
    first, stop = window.start.date(), window.end.date()
    return [first + timedelta(days=i) for i in range((stop - first).days)]


def quarantine_check_specs(datasets: Sequence[RawDataset]) -> list[dg.AssetCheckSpec]:
    """The quarantine check of every landed dataset (see :func:`quarantine_result`)."""
    return [
        dg.AssetCheckSpec(
            QUARANTINE_CHECK,
            asset=raw_asset_key(d),
            description="Warns when rows of this run were rejected into the quarantine.",
        )
        for d in datasets
    ]


def _check_specs(datasets: tuple[RawDataset, ...]) -> list[dg.AssetCheckSpec]:
    specs = quarantine_check_specs(datasets)
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


def landed_metadata(
    dataset: RawDataset, days: Sequence[date], source_label: str, rejected: Mapping[str, int]
) -> dict[str, object]:
    """What every landing asset records of one dataset's run, besides its row counts: the
    quarantined rows by reason, the days, the source and where the files are."""
    return {
        "rows_rejected": sum(rejected.values()),
        "rejected_by_reason": dg.MetadataValue.json(dict(rejected)),
        "days": len(days),
        "first_day": days[0].isoformat(),
        "last_day": days[-1].isoformat(),
        "source": source_label,
        "path": dg.MetadataValue.path(str(landing.dataset_dir(dataset))),
        "quarantine_path": dg.MetadataValue.path(
            str(settings.quarantine_dir() / dataset.domain / dataset.name)
        ),
    }


def quarantine_result(dataset: RawDataset, rejected: Mapping[str, int]) -> dg.AssetCheckResult:
    """The quarantine check of one landed dataset: passes when no row was quarantined."""
    bad = sum(rejected.values())
    return dg.AssetCheckResult(
        check_name=QUARANTINE_CHECK,
        asset_key=raw_asset_key(dataset),
        passed=bad == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"rows_rejected": bad, "reasons": json.dumps(dict(rejected))},
    )


def _funding_coverage_result(
    days: list[date], funding: pa.Table, served: Mapping[str, Sequence[str]] | None = None
) -> dg.AssetCheckResult:
    """``served``: venue -> symbols the source fetched (its own venues/symbols fields win over
    the environment); None: the configuration's (``lib/universe.py``). Built from the seed's
    perpetuals of exactly those pairs, so a source narrowed by its fields is held to what it
    fetched: not to every configured venue, nor to nothing when its venues are outside them."""
    rules = served_rules(served) if served is not None else configured_rules()
    gaps = funding_gaps(funding, days, rules)
    return dg.AssetCheckResult(
        check_name=COVERAGE_CHECK,
        asset_key=raw_asset_key(FUNDING_RATES),
        passed=not gaps,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "venue_days_expected": len(days) * len(rules),
            "venue_days_missing": len(gaps),
            "gaps": dg.MetadataValue.md(
                "\n".join(f"- {g.describe()}" for g in gaps[:50]) or "none"
            ),
        },
    )


def _row_counts(by_day: dict[date, int]) -> dict[str, object]:
    """Row-count metadata that is true on every partition the materialisation is recorded
    for. Dagster copies a range run's metadata onto each of its partitions, so the run total
    must not be ``dagster/row_count`` there: a one-day run gets ``dagster/row_count``, a range
    gets ``rows_in_run`` and the smallest and largest day (per-day counts: the Parquet
    footers, ``landing.freshness.partition_rows``)."""
    if len(by_day) == 1:
        return {"dagster/row_count": next(iter(by_day.values()))}
    counts = list(by_day.values())
    return {"rows_in_run": sum(counts), "rows_per_day_min": min(counts),
            "rows_per_day_max": max(counts)}


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
        retry_policy=STEP_RETRY,
        required_resource_keys={resource_key},
        can_subset=True,
    )
    def _land(
        context: dg.AssetExecutionContext,
    ) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        source: MarketSourceResource = getattr(context.resources, resource_key)
        wanted = set(configured_datasets(tuple(d.name for d in ALL_DATASETS)))
        selected = [by_key[k] for k in context.selected_asset_keys if by_key[k].name in wanted]
        if not selected:
            context.log.info(f"no configured dataset in {domain}: {resource_key} not contacted")
            return
        names = frozenset(d.name for d in selected)
        days = partition_days(context)
        if domain == "exchange":
            write_plan()  # what the configured venues/symbols should give (coverage mart)
        landed_funding: list[pa.Table] = []

        def keep_funding(day: date, results: dict[str, landing.LandingResult]) -> None:
            if FUNDING_RATES.name in results:
                landed_funding.append(results[FUNDING_RATES.name].kept)

        try:
            report = land_range(source, days, names, resume=context.run.parent_run_id is not None,
                                on_day=keep_funding)
        except WindowFetchFailed as error:  # the source spent its own retries: fail fast
            first, stop = error.window
            raise dg.Failure(
                description=f"{resource_key} ({source.source_label}) cannot be fetched for "
                f"{first}..{stop - timedelta(days=1)}: {error}",
                allow_retries=False,
            ) from error
        rows = report.rows
        rejected = report.rejected_by_reason
        context.log.info(
            f"landed {len(days)} day(s) {days[0]}..{days[-1]} from {source.source_label} in "
            f"{len(report.windows)} window(s): "
            + ", ".join(f"{n}={rows[n]}" for n in sorted(names))
        )
        for dataset in selected:
            yield dg.MaterializeResult(
                asset_key=raw_asset_key(dataset),
                metadata={
                    **_row_counts(report.rows_by_day[dataset.name]),
                    **landed_metadata(dataset, days, source.source_label, rejected[dataset.name]),
                },
            )
            yield quarantine_result(dataset, rejected[dataset.name])
        if FUNDING_RATES.name in names:
            yield _funding_coverage_result(days, pa.concat_tables(landed_funding),
                                           source.served_symbols())

    return _land


raw_domain_assets = [build_raw_domain_asset(domain) for domain in DOMAIN_SOURCES]
