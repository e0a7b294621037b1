"""Completeness of landed funding data per venue and UTC day.

"No exception" does not mean "complete": ccxt returns an empty page for a truncated reply, and
a venue can be down for a day. Each configured perpetual must show at least the settlements
its default interval implies (3 a day at 8 h, 24 at 1 h; a venue that shortens its interval
only adds rows), otherwise the venue-day is a gap that checks, marts and the report surface.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from orchestration.lib.venues import VenueRule


@dataclass(frozen=True, slots=True)
class CoverageGap:
    """A perpetual whose settlements on a day fall short of its interval."""

    day: date
    venue: str
    symbol: str
    expected: int
    found: int

    def describe(self) -> str:
        return f"{self.day} {self.venue} {self.symbol}: {self.found}/{self.expected} settlements"


def funding_gaps(
    funding: pa.Table, days: Iterable[date], rules: Iterable[VenueRule]
) -> list[CoverageGap]:
    """Every (day, perpetual) of ``rules`` with fewer settlements than expected, day by day in
    the order of ``days``, then in the order of ``rules``."""
    counts = _settlements_per_day(funding)
    return [
        CoverageGap(day, r.venue, r.symbol, r.settlements_per_day, found)
        for day in days
        for r in rules
        if (found := counts.get((day, r.venue, r.symbol), 0)) < r.settlements_per_day
    ]


def _settlements_per_day(funding: pa.Table) -> dict[tuple[date, str, str], int]:
    """Rows per (day of ``funding_ts``, venue, symbol), counted by Arrow.

    A backfill lands one row per settlement (24 a day per hourly perpetual): grouping in Arrow
    turns only the groups, not the rows, into Python objects. The day is the calendar day in
    the column's own time zone (UTC in the raw contract), as ``datetime.date()`` gives it.
    """
    keyed = pa.table(
        {
            "day": pc.cast(funding.column("funding_ts"), pa.date32()),
            "venue": funding.column("venue"),
            "symbol": funding.column("symbol"),
        }
    )
    grouped = keyed.group_by(["day", "venue", "symbol"]).aggregate([([], "count_all")])
    return {(g["day"], g["venue"], g["symbol"]): g["count_all"] for g in grouped.to_pylist()}
