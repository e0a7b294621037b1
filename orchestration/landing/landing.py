"""Immutable, partitioned Parquet landing for raw datasets.

Layout: ``<data>/raw/<domain>/<dataset>/dt=YYYY-MM-DD/part-<name>.parquet``. A partition is
written to a temporary file in the same folder and renamed over the target, so a reader never
sees half a file and a re-run of the same day replaces it whole. Rows that fail validation are
not dropped: they go to ``<data>/quarantine/<domain>/<dataset>/dt=.../`` with the reason, and the
counts are returned so the asset can report them.

Each dataset also keeps a zero-row ``_empty/schema.parquet``: dbt's sources read
``*/*.parquet``, and this file keeps that glob valid and typed before the first partition lands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from orchestration.landing.parquet_files import atomic_write
from orchestration.landing.raw_schemas import ALL_DATASETS, RawDataset
from orchestration.lib import settings

PRICE_COLUMNS = frozenset(
    {"open", "high", "low", "close", "mark_price", "index_price", "future_price", "price"}
)
NON_NEGATIVE_COLUMNS = frozenset(
    {"volume_base", "oi_contracts", "oi_base", "oi_usd", "open_interest_all", "long_short_ratio",
     "amount_base", "notional_usd", "seconds_connected"}
)
ALLOWED_VALUES: dict[str, frozenset[str]] = {
    "side": frozenset({"long", "short"}),
    "capture": frozenset({"stream", "rest", "import", "simulated"}),
}
"""Enumerated string columns: any other value is quarantined as ``unknown <column>``."""


@dataclass(frozen=True, slots=True)
class LandingResult:
    """What one partition write did: the file, rows kept, rows quarantined by reason, and the
    kept rows themselves (one day: small) so callers can check completeness without re-reading."""

    path: Path
    rows: int
    rejected: int
    rejected_by_reason: dict[str, int]
    quarantine_path: Path | None
    kept: pa.Table


def dataset_dir(dataset: RawDataset, root: Path | None = None) -> Path:
    return (root or settings.raw_dir()) / dataset.domain / dataset.name


def partition_dir(dataset: RawDataset, day: date, root: Path | None = None) -> Path:
    return dataset_dir(dataset, root) / f"dt={day.isoformat()}"


_SCHEMA_FILES_DONE: set[Path] = set()


def ensure_schema_files(root: Path | None = None) -> None:
    """Write the zero-row typed file of every dataset (idempotent; checked once per root and
    process, since every partition write calls it)."""
    root = (root or settings.raw_dir()).resolve()
    if root in _SCHEMA_FILES_DONE:
        return
    for dataset in ALL_DATASETS:
        target = dataset_dir(dataset, root) / "_empty" / "schema.parquet"
        # rewritten when the contract gained a column, so dbt's union_by_name sees it
        if not target.exists() or not pq.read_schema(target).equals(dataset.schema):
            atomic_write(dataset.schema.empty_table(), target)
    from orchestration.landing.coverage import ensure_coverage_files  # coverage reads settings

    ensure_coverage_files(root.parent)  # the other files dbt's sources read
    _SCHEMA_FILES_DONE.add(root)


def conform(dataset: RawDataset, table: pa.Table) -> pa.Table:
    """Select and cast the dataset's columns in contract order; missing columns become null."""
    columns = []
    for field in dataset.schema:
        if field.name in table.column_names:
            columns.append(table.column(field.name).cast(field.type))
        else:
            columns.append(pa.nulls(table.num_rows, field.type))
    return pa.Table.from_arrays(columns, schema=dataset.schema)


def _reasons(dataset: RawDataset, table: pa.Table) -> pa.Array:
    """The first problem of each row (null when none), computed column-wise.

    Precedence: a missing required field, then per column in schema order a non-finite value,
    a non-positive price or a negative amount, then a duplicate key (the first occurrence of a
    key is kept). Vectorised: landing a day must not loop over its rows in Python.
    """
    checks: list[tuple[pa.Array, str]] = [
        (pc.is_null(table.column(name)), f"missing {name}") for name in dataset.required
    ]
    for name, allowed in ALLOWED_VALUES.items():
        if name in dataset.schema.names:
            column = table.column(name)
            known = pc.is_in(column, pa.array(sorted(allowed)))
            unknown = pc.and_(pc.is_valid(column), pc.invert(known))
            checks.append((unknown, f"unknown {name}"))
    for field in dataset.schema:
        if not pa.types.is_floating(field.type):
            continue
        column = table.column(field.name)
        checks.append((pc.or_(pc.is_nan(column), pc.is_inf(column)), f"non-finite {field.name}"))
        if field.name in PRICE_COLUMNS:
            checks.append((pc.less_equal(column, 0), f"non-positive {field.name}"))
        if field.name in NON_NEGATIVE_COLUMNS:
            checks.append((pc.less(column, 0), f"negative {field.name}"))
    reasons = pa.nulls(table.num_rows, pa.string())
    for mask, reason in reversed(checks):  # earlier checks overwrite later ones
        reasons = pc.if_else(pc.fill_null(mask, False), reason, reasons)
    # duplicates among otherwise valid rows: keep the first row of each key
    valid_rows = table.append_column("_row", pa.array(range(table.num_rows), pa.int64())).filter(
        pc.is_null(reasons)
    )
    first = valid_rows.group_by(list(dataset.key), use_threads=False).aggregate([("_row", "min")])
    keep = pc.is_in(pa.array(range(table.num_rows), pa.int64()), value_set=first.column("_row_min"))
    return pc.if_else(pc.or_(keep, pc.is_valid(reasons)), reasons, "duplicate key")


def split_valid(dataset: RawDataset, table: pa.Table) -> tuple[pa.Table, pa.Table]:
    """Split rows into (valid, rejected); rejected rows carry a ``reject_reason`` column.

    Duplicate keys keep the first occurrence; later ones are rejected as ``duplicate key``.
    """
    table = conform(dataset, table)
    reason_array = _reasons(dataset, table)
    is_rejected = pc.is_valid(reason_array)
    valid = table.filter(pc.invert(is_rejected))
    rejected = table.filter(is_rejected).append_column(
        "reject_reason", reason_array.filter(is_rejected)
    )
    return valid, rejected


def _sort(dataset: RawDataset, table: pa.Table) -> pa.Table:
    return table.sort_by([(k, "ascending") for k in dataset.key]) if table.num_rows else table


def land_partition(
    dataset: RawDataset,
    day: date,
    table: pa.Table,
    *,
    part: str = "0",
    data_root: Path | None = None,
) -> LandingResult:
    """Validate, sort and atomically write one day of one dataset; quarantine rejects.

    ``part`` names the file inside the partition so several producers (e.g. one per venue)
    can land the same day independently; re-landing the same part replaces it.
    """
    root = data_root or settings.data_dir()
    ensure_schema_files(root / "raw")
    valid, rejected = split_valid(dataset, table)
    target = partition_dir(dataset, day, root / "raw") / f"part-{part}.parquet"
    atomic_write(_sort(dataset, valid), target)
    quarantine_target = (
        root
        / "quarantine"
        / dataset.domain
        / dataset.name
        / f"dt={day.isoformat()}"
        / f"part-{part}.parquet"
    )
    by_reason: dict[str, int] = {}
    if rejected.num_rows:
        for reason in rejected.column("reject_reason").to_pylist():
            by_reason[reason] = by_reason.get(reason, 0) + 1
        atomic_write(rejected, quarantine_target)
    else:
        quarantine_target.unlink(missing_ok=True)
    return LandingResult(
        path=target,
        rows=valid.num_rows,
        rejected=rejected.num_rows,
        rejected_by_reason=by_reason,
        quarantine_path=quarantine_target if rejected.num_rows else None,
        kept=valid,
    )


def read_dataset(dataset: RawDataset, data_root: Path | None = None) -> pa.Table:
    """All landed partitions of a dataset (tests and tools; dbt reads the files itself)."""
    root = (data_root or settings.data_dir()) / "raw"
    files = sorted(dataset_dir(dataset, root).glob("dt=*/*.parquet"))
    if not files:
        return dataset.schema.empty_table()
    return pa.concat_tables([pq.read_table(f, schema=dataset.schema) for f in files])


if __name__ == "__main__":
    ensure_schema_files()
    print(f"schema files under {settings.raw_dir()}")
