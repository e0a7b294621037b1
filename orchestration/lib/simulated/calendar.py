"""Calendars the simulated market needs: futures expiries and US business days.

Everything here is a closed-form function of the date (no holiday files, no network), so a
simulated day never depends on anything but its inputs. The rules follow the venues' and
markets' published conventions closely enough for realistic gaps and listings; they are not a
legal holiday calendar.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache

FRIDAY = 4
TUESDAY = 1
QUARTER_MONTHS = (3, 6, 9, 12)
EXPIRY_HOUR_UTC = 8
"""Deribit, Binance and OKX dated futures expire at 08:00 UTC."""


# --- futures expiries -------------------------------------------------------------------------


def last_friday(year: int, month: int) -> date:
    """The last Friday of a month: the monthly and quarterly expiry day on all three venues."""
    last = date(year, month, _stdlib_calendar.monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - FRIDAY) % 7)


def expiry_ts(expiry: date) -> datetime:
    return datetime(expiry.year, expiry.month, expiry.day, EXPIRY_HOUR_UTC, tzinfo=UTC)


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def _expiry_months(day: date, back: int, ahead: int) -> list[tuple[int, int]]:
    return [_add_months(day.year, day.month, k) for k in range(-back, ahead + 1)]


def _quarterly_listing(year: int, month: int, quarters_ahead: int) -> date:
    """A quarterly is listed on the expiry day of the quarterly ``quarters_ahead`` before it."""
    return last_friday(*_add_months(year, month, -3 * quarters_ahead))


@dataclass(frozen=True, slots=True)
class ListedContract:
    """A dated future live at a day's close: its expiry day, listing day and cadence."""

    expiry: date
    listed: date
    is_quarterly: bool


def listed_contracts(venue: str, day: date) -> list[ListedContract]:
    """The dated futures a venue lists at the end of ``day``, nearest expiry first.

    A contract is observable at the daily close (00:00 UTC of ``day + 1``) if it was listed on
    or before ``day`` and expires after that close. Listing rules, modelled on the venues:

    - deribit: quarterlies (last Friday of Mar/Jun/Sep/Dec) listed four quarters ahead, so
      about four are live; monthlies (last Friday of the other months) listed two months ahead.
    - binance, okx: current and next quarter; the new "next quarter" is listed the day the
      old current quarter expires.
    - any other venue: none.
    """
    if venue == "deribit":
        quarters_ahead, monthly_lead = 4, 2
    elif venue in ("binance", "okx"):
        quarters_ahead, monthly_lead = 2, None
    else:
        return []
    out: list[ListedContract] = []
    for year, month in _expiry_months(day, back=1, ahead=3 * quarters_ahead + 1):
        expiry = last_friday(year, month)
        if expiry <= day:  # expired at 08:00 on or before the observed day
            continue
        if month in QUARTER_MONTHS:
            listed = _quarterly_listing(year, month, quarters_ahead)
        elif monthly_lead is not None:
            listed = last_friday(*_add_months(year, month, -monthly_lead))
        else:
            continue
        if listed <= day:
            out.append(ListedContract(expiry, listed, month in QUARTER_MONTHS))
    return out


def dated_symbol(base: str, quote: str, settle: str, expiry: date) -> str:
    """ccxt unified symbol of a dated future, e.g. ``BTC/USD:BTC-261225``."""
    return f"{base}/{quote}:{settle}-{expiry:%y%m%d}"


# --- US holidays ------------------------------------------------------------------------------


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> date:
    last = date(year, month, _stdlib_calendar.monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(holiday: date) -> date | None:
    """Saturday holidays move to Friday, Sunday ones to Monday; a Saturday New Year's Day is
    not observed (the exchanges do not close on 31 December)."""
    if holiday.weekday() == 5:
        return None if (holiday.month, holiday.day) == (1, 1) else holiday - timedelta(days=1)
    if holiday.weekday() == 6:
        return holiday + timedelta(days=1)
    return holiday


def _easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month = (h + m - 7 * n + 114) // 31
    return date(year, month, (h + m - 7 * n + 114) % 31 + 1)


def _common_holidays(year: int) -> list[date | None]:
    fixed = [date(year, 1, 1), date(year, 7, 4), date(year, 12, 25)]
    if year >= 2022:
        fixed.append(date(year, 6, 19))
    return [_observed(d) for d in fixed] + [
        _nth_weekday(year, 1, 0, 3),  # Martin Luther King Jr. Day
        _nth_weekday(year, 2, 0, 3),  # Washington's Birthday
        _last_weekday(year, 5, 0),  # Memorial Day
        _nth_weekday(year, 9, 0, 1),  # Labor Day
        _nth_weekday(year, 11, 3, 4),  # Thanksgiving
    ]


@cache
def us_equity_holidays(year: int) -> frozenset[date]:
    """NYSE full-day closures (ETF flows are not published on them): the federal set minus
    Columbus and Veterans Day, plus Good Friday."""
    days = _common_holidays(year) + [_easter(year) - timedelta(days=2)]
    return frozenset(d for d in days if d is not None)


@cache
def us_bond_holidays(year: int) -> frozenset[date]:
    """Federal holidays on which the 3-month T-bill series (FRED DTB3) has no value."""
    days = _common_holidays(year) + [
        _nth_weekday(year, 10, 0, 2),  # Columbus Day
        _observed(date(year, 11, 11)),  # Veterans Day
    ]
    return frozenset(d for d in days if d is not None)


def is_us_trading_day(day: date) -> bool:
    return day.weekday() < 5 and day not in us_equity_holidays(day.year)


def is_us_bond_day(day: date) -> bool:
    return day.weekday() < 5 and day not in us_bond_holidays(day.year)


def last_bond_day(day: date) -> date:
    """``day`` itself if the bond market was open, else the business day before it."""
    while not is_us_bond_day(day):
        day -= timedelta(days=1)
    return day


def cftc_release_date(report_date: date) -> date | None:
    """The release day (the Friday after) of the report whose positions are as of
    ``report_date``, if that is a Tuesday. CFTC rows land in the partition of their report date
    (as the live source and the history backfill do), carrying the release date beside it.
    Holiday-delayed releases are not modelled: every Tuesday's report is released on Friday."""
    return report_date + timedelta(days=3) if report_date.weekday() == TUESDAY else None
