"""Completeness of landed funding data per venue and UTC day.

"No exception" does not mean "complete": ccxt returns an empty page for a truncated reply, and
a venue can be down for a day. Each configured perpetual must show at least the settlements
its default interval implies (3 a day at 8 h, 24 at 1 h; a venue that shortens its interval
only adds rows), otherwise the venue-day is a gap that checks, marts and the report surface.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pyarrow as pa

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
    """Every (day, perpetual) of ``rules`` with fewer settlements than expected."""
    counts = Counter(
        (ts.date(), venue, symbol)
        for ts, venue, symbol in zip(
            funding.column("funding_ts").to_pylist(),
            funding.column("venue").to_pylist(),
            funding.column("symbol").to_pylist(),
            strict=True,
        )
    )
    return [
        CoverageGap(day, r.venue, r.symbol, r.settlements_per_day, found)
        for day in days
        for r in rules
        if (found := counts.get((day, r.venue, r.symbol), 0)) < r.settlements_per_day
    ]
