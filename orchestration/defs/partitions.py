"""Every partitions definition of the code location, in one place, in UTC.

Daily partitions are UTC calendar days: a day's funding settlements are those stamped in
[00:00, 24:00) UTC. Weekly partitions are ISO weeks (Monday start), keyed ``2026-W47-1``: the
ISO 8601 week date of the week's Monday. Dagster parses time-window keys with ``strptime``,
which accepts an ISO year and week (``%G-W%V``) only together with a weekday (``%u``), so the
key carries the ``-1``; the report for partition ``2026-W47-1`` is ``fragility-2026-W47.pdf``
(orchestration/lib/weeks.py converts both ways, the CLI takes ``--week 2026-W47``).

Both start at the first date (:func:`first_date`): ``PERP_FRAGILITY_FIRST_DATE`` when set,
otherwise the demo window's first day for the simulated source (a fresh demo shows its 120
days, not thousands of "missing" ones) and 2020-01-01 for the live source. It is read when the
partitions are first used (the first :class:`dagster.Definitions` the process builds), not when
this module is imported; a different value later in the same process is refused
(:func:`check_first_date_unchanged`, called by ``definitions.py``), never silently ignored.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

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


@dataclass(frozen=True)
class _Partitions:
    first: date
    daily: dg.DailyPartitionsDefinition
    weekly: dg.WeeklyPartitionsDefinition


@cache
def _partitions(first: date) -> _Partitions:
    return _Partitions(
        first,
        dg.DailyPartitionsDefinition(start_date=first.isoformat(), timezone="UTC", fmt="%Y-%m-%d"),
        dg.WeeklyPartitionsDefinition(
            start_date=first_monday(first).strftime(WEEK_KEY_FORMAT),
            day_offset=1,
            timezone="UTC",
            fmt=WEEK_KEY_FORMAT,
        ),
    )


_BOUND: list[_Partitions] = []  # what the asset modules were built with, once they were


def __getattr__(name: str) -> object:
    """``FIRST_DATE``, ``daily_partitions`` and ``weekly_partitions``, computed on first use
    (PEP 562), not at import: importing this module for ``FIRST_DATE_ENV`` or
    :func:`first_date` (the CLI does) does not freeze the first date. The asset modules bind
    the definitions when ``load_from_defs_folder`` imports them, i.e. when the process first
    builds its :class:`dagster.Definitions`; :func:`check_first_date_unchanged` makes a later
    change of ``PERP_FRAGILITY_FIRST_DATE`` in the same process an error instead of silently
    ignored (Dagster imports a code location's modules once per process)."""
    if name in ("FIRST_DATE", "daily_partitions", "weekly_partitions"):
        if not _BOUND:
            _BOUND.append(_partitions(first_date()))
        bound = _BOUND[0]
        return {"FIRST_DATE": bound.first, "daily_partitions": bound.daily,
                "weekly_partitions": bound.weekly}[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def check_first_date_unchanged() -> None:
    """Raise :class:`UserError` when ``PERP_FRAGILITY_FIRST_DATE`` (or the source that picks
    the default) now names another first date than the loaded definitions were built with."""
    from orchestration.errors import UserError

    if _BOUND and first_date() != _BOUND[0].first:
        raise UserError(
            f"{FIRST_DATE_ENV} now gives {first_date()}, but this process built its Dagster "
            f"definitions with partitions from {_BOUND[0].first}; set it before the first "
            "command of the process (or start a new one)"
        )
