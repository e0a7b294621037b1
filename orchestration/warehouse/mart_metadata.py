"""What an operator reads on a dbt asset's page in the UI, instead of dbt's plumbing.

dagster-dbt attaches ``Execution Duration``, ``unique_id``, ``invocation_id`` and ``status`` to
every model and test event: run bookkeeping, not facts about the table. :func:`tidy` keeps the
facts (a failed test's row count). Marts (``fct_``/``dim_``) get a profile after the build, read
from the warehouse read-only (:func:`mart_profiles`): the row count (``dagster/row_count``, which
the UI shows in the asset header), the date coverage, and a Markdown preview of the latest rows.
The project's dbt resource skips dagster-dbt's in-process adapter
(orchestration/warehouse/dbt_project.py) so its ``fetch_row_counts()`` is not available; one
DuckDB connection for every mart costs a few tens of milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import dagster as dg

DBT_BOOKKEEPING = ("Execution Duration", "unique_id", "invocation_id", "status")
FAILED_ROWS = "dagster_dbt/failed_row_count"
MART_PREFIXES = ("fct_", "dim_")
DATE_COLUMNS = ("date", "week_end", "funding_date")  # the grain's date, in order of preference
PREVIEW_ROWS = 5
PREVIEW_COLUMNS = 10


def tidy(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """dbt's event metadata without its bookkeeping; a test's failing rows as ``failed_rows``."""
    kept = {k: v for k, v in metadata.items() if k not in (*DBT_BOOKKEEPING, FAILED_ROWS)}
    if FAILED_ROWS in metadata:
        kept["failed_rows"] = metadata[FAILED_ROWS]
    return kept


def model_name(metadata: Mapping[str, Any]) -> str | None:
    """``fct_funding_daily`` from dagster-dbt's ``unique_id`` (``model.<project>.<name>``)."""
    value = metadata.get("unique_id")
    text = getattr(value, "value", value)
    return str(text).rsplit(".", 1)[-1] if text else None


def is_mart(name: str | None) -> bool:
    return bool(name) and str(name).startswith(MART_PREFIXES)


def _cell(value: Any) -> str:  # noqa: ANN401 - any DuckDB value
    if value is None:
        return "—"
    if isinstance(value, float):
        return "NaN" if math.isnan(value) else f"{value:.6g}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).replace("|", "\\|")


def _preview(columns: list[str], rows: list[tuple[Any, ...]], total_columns: int) -> str:
    shown = (
        f"first {len(columns)} of {total_columns} columns"
        if total_columns > len(columns)
        else ("all columns")
    )
    lines = [
        f"Latest {len(rows)} rows ({shown}):",
        "",
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * len(columns),
    ]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def mart_profile(conn: Any, table: str) -> dict[str, Any]:  # noqa: ANN401 - a DuckDB connection
    """Row count, date coverage and a preview of ``main.<table>``."""
    columns = conn.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'main' and table_name = ? order by ordinal_position",
        [table],
    ).fetchall()
    names = [c[0] for c in columns]
    dated = [c[0] for c in columns if c[1] == "DATE"]
    date_column = next((c for c in DATE_COLUMNS if c in dated), dated[0] if dated else None)
    quoted = ", ".join(f'"{c}"' for c in names[:PREVIEW_COLUMNS])
    order = f'order by "{date_column}" desc, 1, 2' if date_column else "order by 1, 2"
    count = conn.execute(f"select count(*) from main.{table}").fetchone()[0]
    rows = conn.execute(
        f"select {quoted} from main.{table} {order} limit {PREVIEW_ROWS}"
    ).fetchall()
    profile: dict[str, Any] = {
        "dagster/row_count": dg.MetadataValue.int(int(count)),
        "preview": dg.MetadataValue.md(_preview(names[:PREVIEW_COLUMNS], rows, len(names))),
    }
    if date_column:
        first, last, days = conn.execute(
            f'select min("{date_column}"), max("{date_column}"), count(distinct "{date_column}") '
            f"from main.{table}"
        ).fetchone()
        profile["date_coverage"] = (
            f"{first} .. {last} ({days} distinct {date_column} values)" if first else "no rows"
        )
    return profile


def mart_profiles(warehouse: Path, tables: Iterable[str]) -> dict[str, dict[str, Any]]:
    """:func:`mart_profile` of each table, over one read-only connection (closed at once)."""
    import duckdb

    wanted = sorted(set(tables))
    if not wanted or not warehouse.is_file():
        return {}
    conn = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {table: mart_profile(conn, table) for table in wanted}
    finally:
        conn.close()
