"""Which weeks can be reported, checked before the report job runs: a week without data, a
week outside the report partitions or a missing warehouse is a user error in two lines, not
a failed Dagster run with its tracebacks. And whether a week's PDF is already current
(orchestration/lib/report_inputs.py): checked first, with nothing but the instance and the
files, so ``report --week`` of an unchanged week costs about 2 s."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from orchestration.errors import UserError
from orchestration.lib import settings
from orchestration.lib.weeks import iso_week_of, week_monday, week_partition_key

if TYPE_CHECKING:
    from dagster import DagsterInstance

# The same rule as reports.warehouse.build_report_context: a week is reportable when the
# fragility index or any funding exists for it.
WEEKS_WITH_DATA_SQL = """
select distinct week_start from (
    select week_start from main.fct_fragility_weekly
    union all
    select date_trunc('week', date)::date as week_start from main.fct_funding_daily
)
order by week_start
"""


def weeks_with_data() -> list[str]:
    """ISO weeks the warehouse can report, oldest first; raises :class:`UserError` when the
    warehouse does not exist or has not been built."""
    import duckdb

    from orchestration.warehouse.warehouse_lock import warehouse_lock
    from reports.warehouse import open_warehouse_readonly

    path = settings.warehouse_path()
    if not path.is_file():
        raise UserError(
            f"no warehouse in {settings.DATA_DIR_ENV}={settings.data_dir()}: "
            "run `perp-fragility demo` (or `perp-fragility run --start ... --end ...`) first"
        )
    with warehouse_lock(exclusive=False):
        conn = open_warehouse_readonly(path)
        try:
            rows = conn.execute(WEEKS_WITH_DATA_SQL).fetchall()
        except duckdb.CatalogException as exc:
            raise UserError(
                f"the warehouse {path} has no report marts yet: run "
                "`perp-fragility rebuild-warehouse` (or `perp-fragility demo`)"
            ) from exc
        finally:
            conn.close()
    return [iso_week_of(row[0]) for row in rows]


def describe_weeks(weeks: list[str]) -> str:
    """``2026-W30..2026-W47`` for a run of consecutive weeks, comma-separated runs otherwise."""
    if not weeks:
        return "none"
    runs: list[list[str]] = [[weeks[0]]]
    for week in weeks[1:]:
        if week_monday(week) - week_monday(runs[-1][-1]) == timedelta(days=7):
            runs[-1].append(week)
        else:
            runs.append([week])
    return ", ".join(r[0] if len(r) == 1 else f"{r[0]}..{r[-1]}" for r in runs)


def require_reportable(iso_week: str) -> None:
    """Raise a :class:`UserError` unless ``iso_week`` is a report partition with data."""
    from orchestration.defs.partitions import FIRST_DATE_ENV, weekly_partitions

    week_monday(iso_week)  # the shape and the week number, before opening anything
    available = weeks_with_data()
    if iso_week not in available:
        # a partial first week can have data without being a partition: list what can be run
        reportable = [
            w for w in available if weekly_partitions.has_partition_key(week_partition_key(w))
        ]
        raise UserError(
            f"no data for {iso_week} in the warehouse; weeks with data: "
            f"{describe_weeks(reportable)}"
        )
    if not weekly_partitions.has_partition_key(week_partition_key(iso_week)):
        first = weekly_partitions.get_first_partition_key()
        raise UserError(
            f"{iso_week} is not a report partition (they start at {first} and end with the "
            f"last complete week before {date.today()}); set {FIRST_DATE_ENV} to report earlier"
        )


def is_rendered(iso_week: str, instance: DagsterInstance) -> bool:
    """True when the week's last PDF materialisation read the inputs the warehouse, the
    report package and dbt_project.yml hold now, and its file is unchanged on disk."""
    import dagster as dg

    from orchestration.lib.report_inputs import PDF_ASSET_PATH, inputs_digest, is_current
    from orchestration.lib.weeks import report_path

    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(
            asset_key=dg.AssetKey(list(PDF_ASSET_PATH)),
            asset_partitions=[week_partition_key(iso_week)],
        ),
        limit=1,
    ).records
    if not records or records[0].asset_materialization is None:
        return False
    digest = inputs_digest(iso_week, settings.warehouse_path())
    return is_current(records[0].asset_materialization.metadata, digest, report_path(iso_week))


def report_is_current(iso_week: str, instance: DagsterInstance | None = None) -> bool:
    """Print the path and True when ``iso_week``'s PDF is current (no render needed); False
    (nothing printed) otherwise, or when there is no instance yet. ``instance``: default the
    one in ``$DAGSTER_HOME``, opened only when its ``dagster.yaml`` exists."""
    from orchestration.lib.weeks import report_path

    if instance is None:
        import dagster as dg

        from orchestration.instance import dagster_home, ensure_dagster_home

        if not (dagster_home() / "dagster.yaml").is_file():
            return False
        ensure_dagster_home()  # exports DAGSTER_HOME for DagsterInstance.get()
        with dg.DagsterInstance.get() as home:
            return report_is_current(iso_week, home)
    if not is_rendered(iso_week, instance):
        return False
    print(f"report {iso_week}: unchanged since its last render (same warehouse, templates and "
          "dbt vars); --force renders and delivers it again")
    print(report_path(iso_week))
    return True
