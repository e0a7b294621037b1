"""Every partitions definition of the code location, in one place, in UTC.

Daily partitions are UTC calendar days: a day's funding settlements are those stamped in
[00:00, 24:00) UTC. Weekly partitions are ISO weeks (Monday start), keyed ``2026-W47-1``: the
ISO 8601 week date of the week's Monday. Dagster parses time-window keys with ``strptime``,
which accepts an ISO year and week (``%G-W%V``) only together with a weekday (``%u``), so the
key carries the ``-1``; the report for partition ``2026-W47-1`` is ``fragility-2026-W47.pdf``
(orchestration/lib/weeks.py converts both ways, the CLI takes ``--week 2026-W47``).

Both start at the first date (:func:`first_date`): ``PERP_FRAGILITY_FIRST_DATE`` when set,
otherwise the demo window's first day for the simulated source (a fresh demo shows its 120
days, not thousands of "missing" ones) and 2020-01-01 for the live source.
"""

from __future__ import annotations

import os
from datetime import date, timedelta

import dagster as dg

from orchestration.lib.demo_window import demo_start
from orchestration.lib.weeks import WEEK_KEY_FORMAT

FIRST_DATE_ENV = "PERP_FRAGILITY_FIRST_DATE"
LIVE_HISTORY_START = date(2020, 1, 1)


def first_date(environ: os._Environ[str] | dict[str, str] = os.environ) -> date:
    """The first daily partition (see the module docstring for the defaults)."""
    from orchestration.errors import UserError

    text = environ.get(FIRST_DATE_ENV)
    if text:
        try:
            return date.fromisoformat(text)
        except ValueError as exc:
            raise UserError(f"{FIRST_DATE_ENV}={text!r} is not a date (YYYY-MM-DD)") from exc
    if environ.get("PERP_FRAGILITY_SOURCE", "simulated") == "live":
        return LIVE_HISTORY_START
    return demo_start()


def first_monday(day: date) -> date:
    """The Monday on or after ``day``: the first ISO week with every day partitioned."""
    return day + timedelta(days=-day.weekday() % 7)


FIRST_DATE = first_date()

daily_partitions = dg.DailyPartitionsDefinition(
    start_date=FIRST_DATE.isoformat(), timezone="UTC", fmt="%Y-%m-%d"
)
weekly_partitions = dg.WeeklyPartitionsDefinition(
    start_date=first_monday(FIRST_DATE).strftime(WEEK_KEY_FORMAT),
    day_offset=1,
    timezone="UTC",
    fmt=WEEK_KEY_FORMAT,
)
