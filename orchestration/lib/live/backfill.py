"""Resumable backfills: land a range of days, skipping days that are already finished.

A day is *finished* when (1) its outcome record exists, (2) every requested dataset has its
partition file (``part-<part>.parquet``) and (3) no venue *failed* on it. The outcome record is
written after the day's partitions, so a crash between the two leaves the day unfinished and it
is fetched again; a day with a failed venue is retried by the next run, a ``partial`` day (the
venue answered, but its history has a hole) is not. ``force=True`` refetches everything.

Days are fetched in windows of ``chunk_days``: history endpoints return many days per page, so
a year costs tens of requests per series instead of hundreds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.lib import landing, settings
from orchestration.lib.live.outcomes import (
    FAILED,
    DatasetOutcome,
    outcomes_path,
    read_outcomes,
    write_outcomes,
)
from orchestration.lib.raw_schemas import DATASETS_BY_NAME

LIVE_PART = "0"
"""The part name the raw landing asset writes (one file per day and dataset)."""


class WindowSource(Protocol):
    """What a backfill needs from a source (``LiveMarketSource`` has it)."""

    def fetch_days(
        self, start: date, end: date, datasets: frozenset[str]
    ) -> Mapping[date, Mapping[str, pa.Table]]: ...

    def last_outcomes(self) -> list[DatasetOutcome]: ...


def _partition_file(dataset: str, day: date, data_root: Path | None, part: str) -> Path:
    root = (data_root or settings.data_dir()) / "raw"
    return landing.partition_dir(DATASETS_BY_NAME[dataset], day, root) / f"part-{part}.parquet"


def day_is_finished(
    day: date, datasets: Iterable[str], data_root: Path | None = None, part: str = LIVE_PART
) -> bool:
    """True when the day's partitions and outcome record exist and no venue failed."""
    if not outcomes_path(day, data_root).exists():
        return False
    if not all(_partition_file(d, day, data_root, part).exists() for d in datasets):
        return False
    wanted = set(datasets)
    return not any(
        o["status"] == FAILED and o["dataset"] in wanted for o in read_outcomes(day, data_root)
    )


def read_landed_day(
    day: date, datasets: Iterable[str], data_root: Path | None = None, part: str = LIVE_PART
) -> dict[str, pa.Table]:
    """The landed rows of a finished day (re-landing them reproduces the same file)."""
    return {
        d: pq.read_table(_partition_file(d, day, data_root, part),
                         schema=DATASETS_BY_NAME[d].schema)
        for d in datasets
    }


@dataclass(frozen=True, slots=True)
class BackfillReport:
    """What a backfill did.

    Attributes:
        days_fetched: days fetched from the venues and landed.
        days_skipped: days already finished (not refetched).
        rows: rows landed per dataset.
        rejected: rows quarantined per dataset.
        outcomes: the outcome record of the fetched days.
    """

    days_fetched: tuple[date, ...]
    days_skipped: tuple[date, ...]
    rows: Mapping[str, int] = field(default_factory=dict)
    rejected: Mapping[str, int] = field(default_factory=dict)
    outcomes: tuple[DatasetOutcome, ...] = ()


def _chunks(days: list[date], chunk_days: int) -> list[tuple[date, date]]:
    """Contiguous runs of at most ``chunk_days`` days, as [first, end)."""
    chunks: list[tuple[date, date]] = []
    for day in days:
        if chunks and chunks[-1][1] == day and (chunks[-1][1] - chunks[-1][0]).days < chunk_days:
            chunks[-1] = (chunks[-1][0], day + timedelta(days=1))
        else:
            chunks.append((day, day + timedelta(days=1)))
    return chunks


def backfill(
    source: WindowSource,
    start: date,
    end: date,
    datasets: Iterable[str],
    *,
    data_root: Path | None = None,
    force: bool = False,
    chunk_days: int = 30,
    part: str = LIVE_PART,
) -> BackfillReport:
    """Land days ``[start, end)`` of ``datasets`` from ``source``, resuming where it stopped."""
    wanted = frozenset(datasets)
    days = [start + timedelta(days=i) for i in range((end - start).days)]
    skipped = [] if force else [d for d in days if day_is_finished(d, wanted, data_root, part)]
    todo = [d for d in days if d not in set(skipped)]
    rows: dict[str, int] = dict.fromkeys(sorted(wanted), 0)
    rejected: dict[str, int] = dict.fromkeys(sorted(wanted), 0)
    all_outcomes: list[DatasetOutcome] = []
    for first, stop in _chunks(todo, chunk_days):
        tables = source.fetch_days(first, stop, wanted)
        outcomes = source.last_outcomes()
        all_outcomes.extend(outcomes)
        for day in sorted(tables):
            for name in sorted(wanted):
                result = landing.land_partition(
                    DATASETS_BY_NAME[name], day, tables[day][name], part=part,
                    data_root=data_root,
                )
                rows[name] += result.rows
                rejected[name] += result.rejected
            # Written last: its presence marks the day's partitions as complete.
            write_outcomes(day, [o for o in outcomes if o.venue != "*"], data_root)
    return BackfillReport(
        days_fetched=tuple(todo),
        days_skipped=tuple(skipped),
        rows=rows,
        rejected=rejected,
        outcomes=tuple(all_outcomes),
    )
