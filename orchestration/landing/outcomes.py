"""The per-venue, per-dataset, per-day outcome record of live ingestion.

"No exception" is not "complete": each (day, venue, dataset) gets one :class:`DatasetOutcome`
saying what happened: ``ok`` (complete, nothing rejected), ``partial`` (some rows, but fewer than
the venue's schedule implies, or rows the landing will quarantine), ``failed`` (an error, or no
rows where rows were due) or ``not available`` (the venue does not publish it, or publishes only
today's value). The record is returned by the live resource, written next to the raw data
(``<data>/raw/exchange/_live_outcomes/dt=YYYY-MM-DD/part-live.parquet``) so a resumed backfill
knows which days are finished, and is small enough to show whole in asset metadata.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType

import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.landing.parquet_files import atomic_write  # one writer for every Parquet file
from orchestration.lib import settings

OK = "ok"
PARTIAL = "partial"
FAILED = "failed"
NOT_AVAILABLE = "not available"
STATUSES = (OK, PARTIAL, FAILED, NOT_AVAILABLE)

OUTCOME_SCHEMA = pa.schema(
    [
        pa.field("day", pa.date32()),
        pa.field("venue", pa.string()),
        pa.field("dataset", pa.string()),
        pa.field("status", pa.string()),
        pa.field("rows", pa.int64()),
        pa.field("expected", pa.int64()),
        pa.field("found", pa.int64()),
        pa.field("rejected", pa.int64()),
        pa.field("requests", pa.int64()),
        pa.field("retries", pa.int64()),
        pa.field("message", pa.string()),
        pa.field("details", pa.string()),
    ]
)


@dataclass(frozen=True, slots=True)
class DatasetOutcome:
    """What one venue gave for one dataset on one UTC day.

    Attributes:
        day: the UTC day (partition).
        venue: venue name as in the seed.
        dataset: raw dataset name.
        status: ``ok`` | ``partial`` | ``failed`` | ``not available``.
        rows: rows handed to the landing (including ones it will quarantine).
        expected: rows/settlement slots the venue's schedule implies (None: unknown).
        found: slots actually covered by valid rows.
        rejected: rows the landing will quarantine, by the same rules (``split_valid``).
        requests: HTTP requests made for this venue and dataset (whole fetch window).
        retries: retries among them.
        message: the error or the gap, in words; empty when ok.
        details: normalisation counters (duplicates merged, reordered, out of window, ...).
    """

    day: date
    venue: str
    dataset: str
    status: str
    rows: int = 0
    expected: int | None = None
    found: int = 0
    rejected: int = 0
    requests: int = 0
    retries: int = 0
    message: str = ""
    details: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown outcome status {self.status!r}")
        # Only counters that fired: zeros would bury the ones that matter.
        object.__setattr__(
            self, "details", MappingProxyType({k: v for k, v in self.details.items() if v})
        )

    def describe(self) -> str:
        exp = "" if self.expected is None else f" {self.found}/{self.expected}"
        msg = f": {self.message}" if self.message else ""
        return f"{self.day} {self.venue} {self.dataset} {self.status}{exp}{msg}"


def outcomes_table(outcomes: Iterable[DatasetOutcome]) -> pa.Table:
    """The outcomes as an Arrow table (sorted, deterministic)."""
    ordered = sorted(outcomes, key=lambda o: (o.day, o.venue, o.dataset))
    return pa.Table.from_pylist(
        [
            {
                "day": o.day,
                "venue": o.venue,
                "dataset": o.dataset,
                "status": o.status,
                "rows": o.rows,
                "expected": o.expected,
                "found": o.found,
                "rejected": o.rejected,
                "requests": o.requests,
                "retries": o.retries,
                "message": o.message,
                "details": ", ".join(f"{k}={v}" for k, v in sorted(o.details.items()) if v),
            }
            for o in ordered
        ],
        schema=OUTCOME_SCHEMA,
    )


def outcomes_path(day: date, data_root: Path | None = None) -> Path:
    root = data_root or settings.data_dir()
    return (
        root / "raw" / "exchange" / "_live_outcomes" / f"dt={day.isoformat()}" / "part-live.parquet"
    )


def write_outcomes(
    day: date, outcomes: Iterable[DatasetOutcome], data_root: Path | None = None
) -> Path:
    """Replace the day's outcome record (atomic; the same outcomes give the same bytes)."""
    target = outcomes_path(day, data_root)
    atomic_write(outcomes_table(o for o in outcomes if o.day == day), target)
    return target


def merge_outcomes(
    day: date, outcomes: Iterable[DatasetOutcome], data_root: Path | None = None
) -> Path:
    """Write the day's record with ``outcomes`` replacing the recorded (venue, dataset)
    cells they cover and keeping the others (a run of some datasets or venues must not erase
    what an earlier run recorded for the rest)."""
    new = outcomes_table(o for o in outcomes if o.day == day)
    path = outcomes_path(day, data_root)
    if path.exists():
        covered = set(zip(new.column("venue").to_pylist(), new.column("dataset").to_pylist(),
                          strict=True))
        old = pq.read_table(path, schema=OUTCOME_SCHEMA).to_pylist()
        kept = [r for r in old if (r["venue"], r["dataset"]) not in covered]
        rows = sorted(new.to_pylist() + kept, key=lambda r: (r["venue"], r["dataset"]))
        new = pa.Table.from_pylist(rows, schema=OUTCOME_SCHEMA)
    atomic_write(new, path)
    return path


def read_outcomes(day: date, data_root: Path | None = None) -> list[dict[str, object]]:
    """The day's recorded outcomes as dicts (empty when none were written)."""
    path = outcomes_path(day, data_root)
    if not path.exists():
        return []
    return pq.read_table(path).to_pylist()


def summarise(outcomes: Iterable[DatasetOutcome]) -> dict[str, dict[str, str]]:
    """``{venue: {dataset: 'ok' | 'partial: <msg>' | ...}}`` collapsed over days (metadata)."""
    worst = {FAILED: 3, PARTIAL: 2, NOT_AVAILABLE: 1, OK: 0}
    result: dict[str, dict[str, tuple[int, str]]] = {}
    for o in outcomes:
        cell = o.status + (f": {o.message}" if o.message else "")
        current = result.setdefault(o.venue, {}).get(o.dataset)
        if current is None or worst[o.status] > current[0]:
            result[o.venue][o.dataset] = (worst[o.status], cell)
    return {v: {d: c[1] for d, c in ds.items()} for v, ds in result.items()}
