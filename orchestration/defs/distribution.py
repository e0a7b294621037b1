"""Distribution of the weekly PDF: file drop, e-mail and webhook, each optional.

A separate asset from the PDF so a failed channel never costs the report: the PDF asset has
already materialised, delivery is retried on its own (bounded, with backoff, per channel), and
a channel that still fails shows as a failed ``all_channels_delivered`` check, which the
alert sensors report. Channels are configured by environment variables
(docs/distribution.md); with none set the asset records "no channel configured".
"""

import json
from collections.abc import Iterator

import dagster as dg

from orchestration.defs.partitions import weekly_partitions
from orchestration.defs.report import weekly_fragility_pdf
from orchestration.lib.weeks import report_path, week_of_partition_key
from orchestration.resources.distribution import DistributionResource

DELIVERY_CHECK = "all_channels_delivered"
DELIVERY_KEY = dg.AssetKey(["reports", "weekly_report_delivery"])


def report_summary(
    instance: dg.DagsterInstance, partition_key: str
) -> tuple[dict[str, object], object | None]:
    """The summary and page count of *this* week's PDF: the latest materialisation of the
    report's ``partition_key``, not the latest of any week (a re-render of an older week
    must not mail that week's numbers under this week's name)."""
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=weekly_fragility_pdf.key,
                              asset_partitions=[partition_key]),
        limit=1,
    ).records
    materialization = records[0].asset_materialization if records else None
    meta = materialization.metadata if materialization else {}
    summary = json.loads(json.dumps(meta["summary"].value)) if "summary" in meta else {}
    pages = meta["pages"].value if "pages" in meta else None
    return summary, pages


# A multi-asset with ``can_subset=True`` so the check's result is optional: with no channel
# configured the step emits none, and the UI shows the planned check as "Skipped" (Dagster's
# status for a check planned in a successful run that reported nothing), not "Passed".
@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            DELIVERY_KEY,
            deps=[weekly_fragility_pdf],
            group_name="report",
            kinds={"email", "python"},
            description="Hands the week's PDF to every configured channel "
            "(grain: one delivery per week).",
        )
    ],
    partitions_def=weekly_partitions,
    check_specs=[
        dg.AssetCheckSpec(
            DELIVERY_CHECK,
            asset=DELIVERY_KEY,
            description="Fails when a configured channel could not deliver after its retries; "
            "skipped (no result) when no channel is configured.",
        )
    ],
    can_subset=True,
    name="weekly_report_delivery",
)
def weekly_report_delivery(
    context: dg.AssetExecutionContext, distribution: DistributionResource
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Hands the week's PDF to every configured channel (grain: one delivery per week)."""
    iso_week = week_of_partition_key(context.partition_key)
    pdf = report_path(iso_week)
    summary, pages = report_summary(context.instance, context.partition_key)
    report = distribution.deliver_report(pdf, summary, week=iso_week, pages=pages)
    context.log.info(report.describe())
    failed = [o.channel for o in report.outcomes if not o.ok]
    yield dg.MaterializeResult(
        asset_key=DELIVERY_KEY,
        metadata={
            "channels": dg.MetadataValue.json(report.as_metadata()),
            "pdf": dg.MetadataValue.path(str(pdf)),
        },
    )
    if not report.outcomes:
        context.log.info(f"{DELIVERY_CHECK} skipped: no delivery channel is configured")
        return
    yield dg.AssetCheckResult(
        asset_key=DELIVERY_KEY,
        check_name=DELIVERY_CHECK,
        passed=not failed,
        metadata={"failed_channels": ", ".join(failed) or "none"},
    )
