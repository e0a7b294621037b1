"""ISO weeks (Monday start, UTC), the weekly partition keys, and where each week's report lives."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from orchestration.errors import UserError
from orchestration.lib import settings

# Weekly partition keys: the ISO week date of the Monday, ``2026-W47-1`` (defs/partitions.py
# says why the weekday is there).
WEEK_KEY_FORMAT = "%G-W%V-%u"
_ISO_WEEK = re.compile(r"(\d{4})-W(\d{2})")
_LOOSE_WEEK = re.compile(r"(\d{4})\W*w\W*(\d{1,2})", re.IGNORECASE)


class InvalidWeekError(UserError, ValueError):
    """Not an ISO week: a user error (no traceback in the CLI) and a ``ValueError``."""


def iso_week_of(day: date) -> str:
    """``2026-11-16`` -> ``2026-W47``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def weeks_in_year(year: int) -> int:
    """52 or 53: 28 December always lies in the ISO year's last week."""
    return date(year, 12, 28).isocalendar()[1]


def week_monday(iso_week: str) -> date:
    """``2026-W47`` -> Monday ``2026-11-16``; anything else raises :class:`InvalidWeekError`
    saying what is wrong (the shape, or a week number the year does not have)."""
    match = _ISO_WEEK.fullmatch(iso_week.strip())
    if match is None:
        loose = _LOOSE_WEEK.fullmatch(iso_week.strip())
        hint = f" (did you mean {loose[1]}-W{int(loose[2]):02d}?)" if loose else ""
        raise InvalidWeekError(
            f"week must look like 2026-W47 (ISO year, -W, two-digit week), got {iso_week!r}{hint}"
        )
    year, week = int(match[1]), int(match[2])
    last = weeks_in_year(year)
    if not 1 <= week <= last:
        raise InvalidWeekError(f"{iso_week} does not exist: ISO year {year} has weeks W01..W{last}")
    return date.fromisocalendar(year, week, 1)


def week_partition_key(iso_week: str) -> str:
    """``2026-W47`` -> its weekly partition key ``2026-W47-1``."""
    return week_monday(iso_week).strftime(WEEK_KEY_FORMAT)


def week_of_partition_key(key: str) -> str:
    """A weekly partition key (``2026-W47-1``) -> ``2026-W47``."""
    year, week, weekday = key.split("-")
    return iso_week_of(date.fromisocalendar(int(year), int(week.lstrip("W")), int(weekday)))


def last_complete_week(day: date) -> str:
    """The latest ISO week whose Sunday is on or before ``day``."""
    return iso_week_of(day - timedelta(days=(day.weekday() + 1) % 7))


def report_path(iso_week: str) -> Path:
    return settings.reports_dir() / f"fragility-{iso_week}.pdf"
