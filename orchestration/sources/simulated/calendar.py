"""Calendars the simulated market needs: futures expiries and US business days.

Everything here is a function of the date alone (no network), so a simulated day never
depends on anything but its inputs. Expiry and listing rules follow the venues' published
conventions. US trading and bond days come from the same ``holidays``-based calendars the
live reference sources use (``orchestration/lib/calendars.py``), so a simulated ETF
flow or T-bill gap falls on exactly the days the real series has one.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from orchestration.lib.calendars import (
    is_us_bond_day,
    is_us_trading_day,
    last_bond_day,
)
from orchestration.lib.cftc_calendar import release_date_for

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


# --- US holidays: the project's one copy of the market calendars ------------------------------

# Re-exported so the simulated sources read as before; the rules live in one place.
__all__ = [
    "ListedContract",
    "cftc_release_date",
    "dated_symbol",
    "expiry_ts",
    "is_us_bond_day",
    "is_us_trading_day",
    "last_bond_day",
    "last_friday",
    "listed_contracts",
]


def cftc_release_date(report_date: date) -> date | None:
    """The release day of the report whose positions are as of ``report_date``, if that is a
    Tuesday: the live source's rule (``cftc_calendar.release_date_for``: the Friday after,
    moved to the next federal business day after a holiday in the week). CFTC rows land in
    the partition of their report date (as the live source and the history backfill do),
    carrying the release date beside it."""
    return release_date_for(report_date) if report_date.weekday() == TUESDAY else None
