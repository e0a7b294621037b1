"""US calendars the reference sources publish on: federal holidays (the CFTC's release days)
and NYSE trading days (the days a US spot ETF can have a flow).

Computed by rule rather than fetched, so the parsers and the release-date logic work offline
and give the same answer on every run. One-off closures (days of mourning, extra federal days
off by executive order) are listed explicitly; add new ones when they are announced.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

# NYSE closures outside the regular holiday rules (national days of mourning).
NYSE_SPECIAL_CLOSURES: frozenset[date] = frozenset(
    {
        date(2018, 12, 5),  # President G. H. W. Bush
        date(2025, 1, 9),  # President Carter
    }
)

# Federal offices closed by executive order (affects the CFTC release day).
FEDERAL_SPECIAL_CLOSURES: frozenset[date] = frozenset(
    {
        date(2018, 12, 24),
        date(2019, 12, 24),
        date(2020, 12, 24),
        date(2024, 12, 24),
        date(2025, 1, 9),
        date(2025, 12, 24),
        date(2025, 12, 26),
    }
)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th ``weekday`` (Mon=0) of a month; n=-1 is the last one."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = (date(year, month + 1, 1) if month < 12 else date(year + 1, 1, 1)) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: date) -> date:
    """Federal rule: a Saturday holiday is observed on Friday, a Sunday one on Monday."""
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day


def easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month = (h + ell - 7 * m + 114) // 31
    day = (h + ell - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def thanksgiving(year: int) -> date:
    return _nth_weekday(year, 11, 3, 4)


@lru_cache(maxsize=128)
def federal_holidays(year: int) -> frozenset[date]:
    """Observed US federal holidays of ``year`` plus announced extra closures."""
    days = {
        _observed(date(year, 1, 1)),
        _nth_weekday(year, 1, 0, 3),  # Martin Luther King Jr. Day
        _nth_weekday(year, 2, 0, 3),  # Washington's Birthday
        _nth_weekday(year, 5, 0, -1),  # Memorial Day
        _observed(date(year, 7, 4)),
        _nth_weekday(year, 9, 0, 1),  # Labor Day
        _nth_weekday(year, 10, 0, 2),  # Columbus Day
        _observed(date(year, 11, 11)),
        thanksgiving(year),
        _observed(date(year, 12, 25)),
    }
    if year >= 2021:
        days.add(_observed(date(year, 6, 19)))
    # New Year's Day of next year observed on Friday Dec 31.
    days.add(_observed(date(year + 1, 1, 1)))
    days |= {d for d in FEDERAL_SPECIAL_CLOSURES if d.year == year}
    return frozenset(d for d in days if d.year == year)


def is_federal_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in federal_holidays(day.year)


@lru_cache(maxsize=128)
def nyse_holidays(year: int) -> frozenset[date]:
    """NYSE full-day closures of ``year`` (regular rules plus special closures).

    NYSE differs from the federal calendar: Good Friday is closed, Columbus and Veterans Day
    are open, and a Saturday New Year's Day is not observed on the Friday before.
    """
    new_year = date(year, 1, 1)
    days = {
        _nth_weekday(year, 1, 0, 3),
        _nth_weekday(year, 2, 0, 3),
        easter(year) - timedelta(days=2),  # Good Friday
        _nth_weekday(year, 5, 0, -1),
        _observed(date(year, 7, 4)),
        _nth_weekday(year, 9, 0, 1),
        thanksgiving(year),
        _observed(date(year, 12, 25)),
    }
    if new_year.weekday() != 5:
        days.add(_observed(new_year))
    if year >= 2022:
        days.add(_observed(date(year, 6, 19)))
    days |= {d for d in NYSE_SPECIAL_CLOSURES if d.year == year}
    return frozenset(d for d in days if d.year == year)


def is_us_trading_day(day: date) -> bool:
    """True on NYSE trading days: the only days a US spot ETF can create or redeem."""
    return day.weekday() < 5 and day not in nyse_holidays(day.year)
