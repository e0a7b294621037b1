"""The weekly fragility report: a PDF per ISO week, rendered from the marts.

Weekly partitions are ISO weeks (UTC); partition ``2026-W47-1`` renders
``data/reports/fragility-2026-W47.pdf``. The asset only reads the warehouse (read-only, closed
as soon as the context is built) but shares the warehouse pool with dbt so it never meets a
writer's lock. Rendering is deterministic: it is not retried.
"""


import dagster as dg
from dagster_dbt import get_asset_key_for_model

from orchestration.defs.dbt_models import WAREHOUSE_POOL, warehouse_models
from orchestration.defs.partitions import weekly_partitions
from orchestration.lib import settings
from orchestration.lib.report_inputs import BYTES_KEY, INPUTS_KEY, PDF_ASSET_PATH, inputs_digest
from orchestration.lib.weeks import report_path, week_of_partition_key
from orchestration.warehouse.warehouse_lock import warehouse_lock
from reports import ReportContext, filters, render_pdf
from reports.warehouse import build_report_context, open_warehouse_readonly

PDF_KEY = dg.AssetKey(list(PDF_ASSET_PATH))
REPORT_MARTS = (
    "fct_fragility_weekly",
    "fct_fragility_daily",
    "fct_funding_daily",
    "fct_basis",
    "fct_basis_term_daily",
    "fct_carry_daily",
    "fct_open_interest_daily",
    "fct_arbitrage_share",
    "fct_market_daily",
    "fct_etf_flows_daily",
)


@dg.asset(
    key=PDF_KEY,
    partitions_def=weekly_partitions,
    deps=[get_asset_key_for_model([warehouse_models], m) for m in REPORT_MARTS],
    group_name="report",
    kinds={"pdf", "weasyprint"},
    pool=WAREHOUSE_POOL,
)
def weekly_fragility_pdf(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Weekly PDF on market fragility for the ISO week of the partition (grain: one file per
    week), read line by line from the warehouse marts."""
    iso_week = week_of_partition_key(context.partition_key)
    with warehouse_lock(exclusive=False):
        inputs = inputs_digest(iso_week, settings.warehouse_path())
        conn = open_warehouse_readonly(settings.warehouse_path())
        try:
            report_context = build_report_context(conn, iso_week)
        finally:
            conn.close()
    result = render_pdf(report_context, report_path(iso_week))
    context.log.info(f"wrote {result.path} ({result.pages} pages, {result.seconds:.2f} s)")
    if result.blocked_urls:
        context.log.warning(f"the URL fetcher refused: {', '.join(result.blocked_urls)}")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(result.path)),
            "iso_week": iso_week,
            "pages": result.pages,
            "render_seconds": round(result.seconds, 3),
            INPUTS_KEY: inputs,
            BYTES_KEY: result.path.stat().st_size,
            "synthetic": report_context.is_synthetic,
            "key_figures": dg.MetadataValue.md(key_figures_markdown(report_context)),
            "summary": dg.MetadataValue.json(report_summary(report_context)),
        }
    )


def key_figures_markdown(report: ReportContext) -> str:
    """The week's headline per asset, for the asset page in the UI."""
    lines = [
        f"**{report.iso_week}** ({report.week_start} – {report.week_end})"
        + (" — *synthetic data*" if report.is_synthetic else ""),
        "",
        "| asset | index | change | regime | 7 d funding | carry net of hurdle | unwind |",
        "|---|---:|---:|---|---:|---:|---|",
    ]
    for a in report.assets:
        lines.append(
            f"| {a.base_asset} | {filters.index(a.fragility_index)} "
            f"| {filters.signed(a.index_change)} "
            f"| {a.regime or '—'} | {filters.pct(a.funding_apr_7d)} | {filters.pct(a.carry_apr)} "
            f"| {a.unwind_reason or ('no' if a.is_unwind_condition is False else '—')} |"
        )
    return "\n".join(lines)


def report_summary(report: ReportContext) -> dict[str, object]:
    """Plain headline figures: run metadata, and the body of e-mails and webhooks."""
    return {
        "week": report.iso_week,
        "synthetic": report.is_synthetic,
        **{
            a.base_asset: (
                f"index {filters.index(a.fragility_index)} ({a.regime or 'n/a'}), "
                f"change {filters.signed(a.index_change)}, "
                f"7 d funding {filters.pct(a.funding_apr_7d)}"
            )
            for a in report.assets
        },
    }
