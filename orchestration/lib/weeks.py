"""ISO weeks (Monday start, UTC) and where each week's report lives."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from orchestration.lib import settings


def iso_week_of(day: date) -> str:
    """``2026-11-16`` -> ``2026-W47``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_monday(iso_week: str) -> date:
    """``2026-W47`` -> Monday ``2026-11-16``; rejects anything else with a clear message."""
    try:
        year, week = iso_week.split("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    except ValueError as exc:
        raise ValueError(f"week must look like 2026-W47, got {iso_week!r}") from exc


def last_complete_week(day: date) -> str:
    """The latest ISO week whose Sunday is on or before ``day``."""
    return iso_week_of(day - timedelta(days=(day.weekday() + 1) % 7))


def report_path(iso_week: str) -> Path:
    return settings.reports_dir() / f"fragility-{iso_week}.pdf"
