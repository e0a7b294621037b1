"""The US market calendars, one copy for the whole project (the simulated market and the live
reference sources ask the same questions and must get the same answers).

Built on ``holidays`` rather than hand-written rules, so special closures (national days of
mourning, Christmas Eve by executive order) arrive with a package upgrade instead of an edit:

- **NYSE** (``holidays.financial_holidays("NYSE")``): the days a US spot ETF can create or
  redeem, so the days Farside can report a flow;
- **federal offices** (``holidays.US`` with its ``government`` category: the federal holidays
  plus executive-order closures): the days the CFTC does not work on, which move its release
  (``cftc_calendar.py`` holds the CFTC's own publication rules on top of this);
- **federal holidays** (``holidays.US``, public category only): the days the 3-month T-bill
  series (FRED DTB3) has no value; the bond market trades through executive-order closures.

Everything is computed offline and cached per year.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays


def _days_of(year: int, calendar: holidays.HolidayBase) -> frozenset[date]:
    # a Saturday 1 January is observed on 31 December of the year before: ask for both years
    return frozenset(d for d in calendar if d.year == year)


@cache
def nyse_holidays(year: int) -> frozenset[date]:
    """NYSE full-day closures of ``year``, special closures included."""
    return _days_of(year, holidays.financial_holidays("NYSE", years=year))


@cache
def federal_holidays(year: int) -> frozenset[date]:
    """Days federal offices are closed in ``year``: observed federal holidays and
    executive-order closures (e.g. 2024-12-24, 2025-01-09)."""
    years = (year, year + 1)
    return _days_of(year, holidays.US(years=years, categories=("public", "government")))


@cache
def us_bond_holidays(year: int) -> frozenset[date]:
    """Observed federal holidays of ``year`` (no T-bill rate is published on them)."""
    return _days_of(year, holidays.US(years=(year, year + 1)))


def is_us_trading_day(day: date) -> bool:
    """True on NYSE trading days: the only days a US spot ETF can create or redeem."""
    return day.weekday() < 5 and day not in nyse_holidays(day.year)


def is_federal_business_day(day: date) -> bool:
    """True when federal offices (the CFTC) work."""
    return day.weekday() < 5 and day not in federal_holidays(day.year)


def is_us_bond_day(day: date) -> bool:
    """True when the 3-month T-bill rate is published."""
    return day.weekday() < 5 and day not in us_bond_holidays(day.year)


def last_bond_day(day: date) -> date:
    """``day`` itself if the bond market was open, else the bond day before it."""
    while not is_us_bond_day(day):
        day -= timedelta(days=1)
    return day
