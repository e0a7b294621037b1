"""Freshness and volume expectations for landed raw data, per source calendar.

Plain logic for the raw asset checks: what the newest landed day *should* be today, given how
each source publishes (exchanges and rates daily; ETF flows on NYSE trading days after the
close; CFTC positions as of Tuesday released on Friday), and whether a day's row count looks
like its recent history.

"Today" depends on the source (:func:`freshness_as_of`). A live pipeline is judged against the
wall clock: data that stopped arriving is stale. The simulated market has no clock of its own:
it is judged against the day after the newest landed partition of any raw dataset (the end of
the landed window), so a demo over a fixed past window reads fresh when every dataset reaches
the window's end, and still flags a dataset that stops short of it.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

import pyarrow.parquet as pq

from orchestration.lib.calendars import is_us_trading_day
from orchestration.lib.cftc_calendar import release_date_for


def expected_latest_day(domain: str, today: date) -> date:
    """The newest partition a complete pipeline holds on ``today`` (UTC) for ``domain``."""
    if domain == "etf":
        day = today - timedelta(days=1)
        while not is_us_trading_day(day):
            day -= timedelta(days=1)
        return day
    if domain == "cftc":
        tuesday = today - timedelta(days=(today.weekday() - 1) % 7)
        while release_date_for(tuesday) >= today:  # released, and a day to land it
            tuesday -= timedelta(days=7)
        return tuesday
    return today - timedelta(days=1)


def landed_days(dataset_dirs: Iterable[Path]) -> list[date]:
    """Every landed day (``dt=`` folder names, no file read) across ``dataset_dirs``."""
    return [
        date.fromisoformat(folder.name.removeprefix("dt="))
        for dataset_dir in dataset_dirs
        for folder in dataset_dir.glob("dt=*")
    ]


def freshness_as_of(source: str, wall_clock: date, landed: Iterable[date]) -> tuple[date, str]:
    """The "today" freshness is judged on, and how it was chosen (for the check's metadata).

    ``live``: the wall clock. ``simulated``: the day after the newest landed day (the data's
    own end); with nothing landed, the wall clock."""
    if source == "live":
        return wall_clock, "wall clock (live source)"
    newest = max(landed, default=None)
    if newest is None:
        return wall_clock, "wall clock (nothing landed yet)"
    return newest + timedelta(days=1), f"day after the newest landed day {newest} ({source} source)"


def partition_rows(dataset_dir: Path) -> dict[date, int]:
    """Rows per landed day, from Parquet footers only (no data read)."""
    rows: dict[date, int] = {}
    for part in dataset_dir.glob("dt=*/*.parquet"):
        day = date.fromisoformat(part.parent.name.removeprefix("dt="))
        rows[day] = rows.get(day, 0) + pq.ParquetFile(part).metadata.num_rows
    return rows


def row_count_anomaly(
    rows: dict[date, int], day: date, window: int = 28, low: float = 0.5, high: float = 2.0
) -> str | None:
    """Why ``day``'s row count is out of line with the median of the preceding ``window``
    non-empty days, or None. Days without rows in the window (weekends for ETF flows, non-
    report days for CFTC) are left out of the median."""
    history = [n for d, n in sorted(rows.items()) if d < day and n > 0][-window:]
    if len(history) < 7 or rows.get(day, 0) == 0:
        return None
    median = statistics.median(history)
    count = rows[day]
    if count < low * median or count > high * median:
        return f"{day}: {count} rows against a trailing median of {median:g}"
    return None
