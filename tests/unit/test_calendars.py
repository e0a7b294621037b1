"""The market calendars: one copy (``holidays``), known closures, and the simulated and live
reference sources agreeing day by day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from orchestration.lib import calendars, cftc_calendar
from orchestration.sources.simulated import calendar as simulated_calendar
from orchestration.sources.simulated.config import SimulationConfig
from orchestration.sources.simulated.reference import cftc_columns, etf_columns, rates_columns

SEED = 7


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (date(2018, 12, 5), "national day of mourning, G. H. W. Bush"),
        (date(2025, 1, 9), "national day of mourning, Carter"),
        (date(2026, 4, 3), "Good Friday"),
        (date(2022, 6, 20), "Juneteenth, observed on the Monday"),
        (date(2026, 7, 3), "Independence Day, observed on the Friday"),
        (date(2026, 11, 26), "Thanksgiving"),
    ],
)
def test_nyse_closures(day: date, why: str) -> None:
    assert not calendars.is_us_trading_day(day), why


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (date(2025, 10, 13), "Columbus Day: the exchange is open"),
        (date(2025, 11, 11), "Veterans Day: the exchange is open"),
        (date(2021, 12, 31), "a Saturday New Year's Day is not observed by the NYSE"),
        (date(2024, 12, 24), "Christmas Eve by executive order closes offices, not the NYSE"),
    ],
)
def test_nyse_trading_days(day: date, why: str) -> None:
    assert calendars.is_us_trading_day(day), why


def test_federal_offices_and_the_bond_market_differ_only_on_executive_orders() -> None:
    for day in (date(2024, 12, 24), date(2025, 12, 26), date(2025, 1, 9)):
        assert not calendars.is_federal_business_day(day)  # the CFTC is closed
        assert calendars.is_us_bond_day(day)  # a T-bill rate is published
    for day in (date(2025, 10, 13), date(2025, 11, 11), date(2021, 12, 31), date(2021, 6, 18)):
        assert not calendars.is_federal_business_day(day)
        assert not calendars.is_us_bond_day(day)
    assert calendars.last_bond_day(date(2025, 11, 11)) == date(2025, 11, 10)
    assert calendars.last_bond_day(date(2025, 11, 16)) == date(2025, 11, 14)  # Sunday


def test_the_simulated_market_uses_the_same_calendars() -> None:
    assert simulated_calendar.is_us_trading_day is calendars.is_us_trading_day
    assert simulated_calendar.is_us_bond_day is calendars.is_us_bond_day


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def test_simulated_reference_rows_fall_on_the_live_calendar_days() -> None:
    """Three years (from after the first spot ETF listings) of simulated ETF flows, T-bill
    fills and CFTC releases against the calendars the live parsers and freshness rules use."""
    config = SimulationConfig()
    flow_days, filled, releases = set(), set(), {}
    for day in _days(date(2024, 2, 1), date(2026, 12, 31)):
        if etf_columns(day, SEED, config)["date"]:
            flow_days.add(day)
        rates = rates_columns(day, SEED, config)
        if rates["is_filled"][0]:
            filled.add(day)
        cftc = cftc_columns(day, SEED, config)
        if cftc["report_date"]:
            releases[day] = set(cftc["release_date"])
    all_days = _days(date(2024, 2, 1), date(2026, 12, 31))
    assert flow_days == {d for d in all_days if calendars.is_us_trading_day(d)}
    assert filled == {d for d in all_days if not calendars.is_us_bond_day(d)}
    assert releases and all(
        released == {cftc_calendar.release_date_for(report)}
        for report, released in releases.items()
    )
    # the Thanksgiving week publishes on the Monday after, in both sources
    assert releases[date(2026, 11, 24)] == {date(2026, 11, 30)}
