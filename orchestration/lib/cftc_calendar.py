"""When CFTC reports are as of and when they are published.

Positions are as of Tuesday (Monday when that Tuesday is a federal holiday) and are released
at 15:30 New York time on the Friday after. When a federal holiday or closure falls on the
Wednesday-Friday of that week the release moves to the next business day (Thanksgiving,
July 4 and Christmas weeks publish on the Monday). Delayed reports (government shutdowns) are
listed in :data:`KNOWN_RELEASE_DATES` from the CFTC's announced catch-up schedule; the rule
above is an approximation of the CFTC's yearly release calendar, and the table wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from orchestration.lib.calendars import federal_holidays, is_federal_business_day

RELEASE_TIME_ET = time(15, 30)
NEW_YORK = ZoneInfo("America/New_York")

# Report dates published off the normal calendar, as announced by the CFTC on 2025-11-18
# ("CFTC to resume publishing COT reports", catch-up schedule after the 2025 appropriations lapse).
KNOWN_RELEASE_DATES: dict[date, date] = {
    date(2025, 9, 30): date(2025, 11, 19),
    date(2025, 10, 7): date(2025, 11, 21),
    date(2025, 10, 14): date(2025, 11, 25),
    date(2025, 10, 21): date(2025, 12, 2),
    date(2025, 10, 28): date(2025, 12, 5),
    date(2025, 11, 4): date(2025, 12, 9),
    date(2025, 11, 10): date(2025, 12, 12),
    date(2025, 11, 18): date(2025, 12, 16),
    date(2025, 11, 25): date(2025, 12, 19),
    date(2025, 12, 2): date(2025, 12, 23),
    date(2025, 12, 9): date(2025, 12, 30),
    date(2025, 12, 16): date(2026, 1, 6),
    date(2025, 12, 23): date(2026, 1, 9),
    date(2025, 12, 30): date(2026, 1, 13),
    date(2026, 1, 6): date(2026, 1, 16),
    date(2026, 1, 13): date(2026, 1, 20),
}


def expected_report_date(week_tuesday: date) -> date:
    """Positions are as of Tuesday, or Monday when that Tuesday is a federal holiday."""
    if week_tuesday in federal_holidays(week_tuesday.year):
        return week_tuesday - timedelta(days=1)
    return week_tuesday


def release_date_for(report_date: date) -> date:
    """When the CFTC published (or will publish) the report of ``report_date``.

    Known exceptions first; otherwise the Friday after the report date, moved to the next
    federal business day when a federal holiday or closure falls on the Wednesday-Friday of
    that week (the CFTC then publishes on the Monday, e.g. Thanksgiving and July 4 weeks).
    """
    if report_date in KNOWN_RELEASE_DATES:
        return KNOWN_RELEASE_DATES[report_date]
    friday = report_date + timedelta(days=(4 - report_date.weekday()) % 7 or 7)
    late_week = [friday - timedelta(days=k) for k in (0, 1, 2)]
    if any(not is_federal_business_day(d) for d in late_week):
        release = friday + timedelta(days=1)
        while not is_federal_business_day(release):
            release += timedelta(days=1)
        return release
    return friday


def release_at(report_date: date) -> datetime:
    """Publication instant: 15:30 New York time on the release date."""
    return datetime.combine(release_date_for(report_date), RELEASE_TIME_ET, tzinfo=NEW_YORK)


def overdue_report_dates(landed: Iterable[date], first: date, now: datetime) -> list[date]:
    """Report dates from ``first`` whose release time has passed but that are not landed.

    The freshness rule for the CFTC asset: a gap here is either a publication gap (shown until
    the CFTC catches up) or a failed fetch.
    """
    have = set(landed)
    tuesday = first + timedelta(days=(1 - first.weekday()) % 7)
    out: list[date] = []
    while tuesday <= now.date():
        report = expected_report_date(tuesday)
        if report >= first and release_at(report) <= now and report not in have:
            out.append(report)
        tuesday += timedelta(days=7)
    return out
