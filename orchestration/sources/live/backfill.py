"""The one landing engine: a range of days fetched in windows, every day landed and recorded
on its own.

The Dagster landing assets (``defs/raw_landing.py``, every domain) and a direct call
(:func:`backfill`: scripts, the benchmark) both run :func:`land_range`:

* the range is cut into windows of at most ``window_days`` (equal lengths, so no tail window
  of a few days costs a page per series); the source says how large (``days_per_window()``): the
  live source reads about half a year per window, so history endpoints answer in their largest
  pages; a source that works day by day says 1;
* each window is one ``source.fetch_window(start, end, datasets, resume=...)``;
* each day of the window is landed (one atomic Parquet file per dataset and day,
  ``part-<part>.parquet``) and then, last, its outcome record is merged in
  (``raw/exchange/_live_outcomes``). A crash loses at most the window in flight; a day whose
  record is missing counts as not fetched.

Resume (``resume=True``): the live source serves every (day, venue, dataset) whose recorded
outcome is ``ok`` (or ``not available``: the venue does not publish it) from the landed files
and refetches every other one - ``partial``, ``failed`` or never recorded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Protocol

import dagster as dg
import pyarrow as pa

from orchestration.landing import landing
from orchestration.landing.outcomes import DatasetOutcome, merge_outcomes
from orchestration.landing.raw_schemas import DATASETS_BY_NAME

LIVE_PART = "0"
"""The part name the raw landing asset writes (one file per day and dataset)."""


class WindowSource(Protocol):
    """What the engine needs from a source (every ``MarketSourceResource`` has it)."""

    def fetch_window(
        self, start: date, end: date, datasets: frozenset[str], *, resume: bool = False
    ) -> Mapping[date, Mapping[str, pa.Table]]: ...

    def last_outcomes(self) -> list[DatasetOutcome]: ...

    def days_per_window(self) -> int: ...


@dataclass(frozen=True, slots=True)
class BackfillReport:
    """What a landing of a range did.

    Attributes:
        days: the days landed, in order.
        windows: the fetch windows, ``[first, end)``.
        rows: rows landed per dataset (whole range).
        rows_by_day: dataset -> day -> rows landed (per-partition counts).
        rejected: rows quarantined per dataset.
        rejected_by_reason: dataset -> reason -> rows quarantined.
        outcomes: the outcome record of the fetched cells.
    """

    days: tuple[date, ...]
    windows: tuple[tuple[date, date], ...]
    rows: Mapping[str, int] = field(default_factory=dict)
    rows_by_day: Mapping[str, Mapping[date, int]] = field(default_factory=dict)
    rejected: Mapping[str, int] = field(default_factory=dict)
    rejected_by_reason: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    outcomes: tuple[DatasetOutcome, ...] = ()


def windows(days: Iterable[date], window_days: int) -> list[tuple[date, date]]:
    """Contiguous runs of ``days`` cut into equal windows of at most ``window_days``, as
    ``[first, end)`` (365 days at 183 -> 183 + 182, not 183 + 182 + 0)."""
    runs: list[list[date]] = []
    for day in sorted(set(days)):
        if runs and runs[-1][-1] + timedelta(days=1) == day:
            runs[-1].append(day)
        else:
            runs.append([day])
    out: list[tuple[date, date]] = []
    size = max(1, window_days)
    for run in runs:
        n = -(-len(run) // size)
        base, extra = divmod(len(run), n)
        i = 0
        for k in range(n):
            length = base + (1 if k < extra else 0)
            out.append((run[i], run[i + length - 1] + timedelta(days=1)))
            i += length
    return out


class WindowFetchFailed(RuntimeError):
    """The source raised while fetching a window (after its own request retries).

    Attributes:
        window: ``(first, end)`` of the window.
    """

    def __init__(self, window: tuple[date, date], error: BaseException) -> None:
        self.window = window
        super().__init__(f"{type(error).__name__}: {str(error).strip()[:300]}")


DayCallback = Callable[[date, Mapping[str, landing.LandingResult]], None]


def land_range(
    source: WindowSource,
    days: Iterable[date],
    datasets: Iterable[str],
    *,
    window_days: int | None = None,
    data_root: Path | None = None,
    part: str = LIVE_PART,
    resume: bool = False,
    on_day: DayCallback | None = None,
) -> BackfillReport:
    """Fetch ``days`` of ``datasets`` in windows and land each day (see the module doc).

    ``on_day(day, {dataset: LandingResult})`` is called after each day's partitions are
    written (the landing asset collects what its checks need)."""
    wanted = frozenset(datasets)
    names = sorted(wanted)
    plan = windows(days, window_days or source.days_per_window())
    rows: Counter[str] = Counter(dict.fromkeys(names, 0))
    rejected: Counter[str] = Counter(dict.fromkeys(names, 0))
    by_day: dict[str, dict[date, int]] = {n: {} for n in names}
    reasons: dict[str, Counter[str]] = {n: Counter() for n in names}
    all_outcomes: list[DatasetOutcome] = []
    landed_days: list[date] = []
    for first, stop in plan:
        try:
            tables = source.fetch_window(first, stop, wanted, resume=resume)
        except Exception as error:
            if isinstance(error, dg.Failure):  # already names what failed (VenuesUnreachable)
                raise
            raise WindowFetchFailed((first, stop), error) from error
        outcomes = source.last_outcomes()
        all_outcomes.extend(outcomes)
        for offset in range((stop - first).days):
            day = first + timedelta(days=offset)
            results = {
                name: landing.land_partition(DATASETS_BY_NAME[name], day, tables[day][name],
                                             part=part, data_root=data_root)
                for name in names
            }
            for name, result in results.items():
                rows[name] += result.rows
                rejected[name] += result.rejected
                by_day[name][day] = result.rows
                reasons[name].update(result.rejected_by_reason)
            if on_day is not None:
                on_day(day, results)
            recorded = [o for o in outcomes if o.day == day and o.venue != "*"]
            if recorded:  # written last: its presence marks the day's partitions complete
                merge_outcomes(day, recorded, data_root)
            landed_days.append(day)
    return BackfillReport(
        days=tuple(landed_days),
        windows=tuple(plan),
        rows=dict(rows),
        rows_by_day=by_day,
        rejected=dict(rejected),
        rejected_by_reason={n: dict(c) for n, c in reasons.items()},
        outcomes=tuple(all_outcomes),
    )


def backfill(
    source: WindowSource,
    start: date,
    end: date,
    datasets: Iterable[str],
    *,
    data_root: Path | None = None,
    force: bool = False,
    window_days: int | None = None,
    part: str = LIVE_PART,
) -> BackfillReport:
    """Land days ``[start, end)`` without Dagster, through the same engine as the landing
    assets; resumes (refetching only what is not ``ok``) unless ``force``."""
    days = [start + timedelta(days=i) for i in range((end - start).days)]
    return land_range(source, days, datasets, window_days=window_days, data_root=data_root,
                      part=part, resume=not force)
