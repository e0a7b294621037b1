"""Completeness of landed data per configured venue, symbol, dataset and UTC day.

"No exception" does not mean "complete": ccxt returns an empty page for a truncated reply, and
a venue can be down for a day. Each configured perpetual must show at least the settlements
its default interval implies (3 a day at 8 h, 24 at 1 h; a venue that shortens its interval
only adds rows), otherwise the venue-day is a gap that checks, marts and the report surface.

The same holds for every exchange dataset: :func:`coverage_plan` says what the configured
venues and symbols (``lib/universe.py``) should give each day, :func:`dataset_gaps` compares
landed rows with it (the raw completeness checks), and :func:`write_plan` puts the plan where
dbt reads it (``raw.coverage_plan``) for the mart ``fct_data_coverage_daily``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

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


# -- what the configuration says should land -------------------------------------------------

#: Hourly datasets give this many rows per perpetual and day.
HOURS_PER_DAY = 24
#: The record of expectations dbt reads (source ``raw.coverage_plan``).
PLAN_SCHEMA = pa.schema(
    [
        pa.field("venue", pa.string()),
        pa.field("symbol", pa.string()),  # null: any symbol of the venue and asset (dated)
        pa.field("base_asset", pa.string()),
        pa.field("dataset", pa.string()),
        pa.field("rows_per_day", pa.int64()),  # null: at least one, count unknown
    ]
)


@dataclass(frozen=True, slots=True)
class Expectation:
    """Rows one configured (venue, symbol) should give per UTC day of one raw dataset.

    ``symbol`` None means "any contract of this venue and asset" (dated futures: the listed
    expiries change, so only their presence is expected); ``rows_per_day`` None means at least
    one row, count unknown."""

    venue: str
    symbol: str | None
    base_asset: str
    dataset: str
    rows_per_day: int | None


def served_rules(served: Mapping[str, Iterable[str]]) -> tuple[VenueRule, ...]:
    """The seed's perpetuals whose (venue, symbol) is in ``served`` (venue -> symbols): what
    the funding coverage check expects of a source serving exactly those."""
    from orchestration.lib.venues import venue_rules

    symbols = {venue: set(names) for venue, names in served.items()}
    return tuple(r for r in venue_rules() if r.symbol in symbols.get(r.venue, ()))


def configured_symbols_by_venue(env: Mapping[str, str] | None = None) -> dict[str, tuple[str, ...]]:
    """venue -> symbols of the configuration (``lib/universe.py``)."""
    from orchestration.lib.universe import configured_symbols, configured_venues

    return {v: configured_symbols(v, env) for v in configured_venues(env)}


def configured_rules(env: Mapping[str, str] | None = None) -> tuple[VenueRule, ...]:
    """The seed's perpetuals narrowed to the configured venues and symbols
    (``lib/universe.py``): what the funding coverage check expects."""
    return served_rules(configured_symbols_by_venue(env))


def coverage_plan(env: Mapping[str, str] | None = None) -> tuple[Expectation, ...]:
    """Every (venue, symbol, dataset) the configuration should land each day, with its count.

    Per configured perpetual: funding settlements per its interval, 24 hourly mark/index rows,
    one daily candle, one open-interest snapshot, one long/short ratio; per configured spot
    pair one daily candle; per venue and asset at least one dated future. A venue that does not
    publish a dataset at all (ccxt capabilities, ``landing/capabilities.py``) is not expected
    to give it; one that publishes only today's value is (the simulated market and snapshots
    give it, and a live backfill records it as ``not available`` in its outcomes).
    """
    from orchestration.landing.capabilities import (
        AVAILABLE,
        NOT_AVAILABLE,
        dataset_capability,
    )
    from orchestration.landing.raw_schemas import ALL_DATASETS, EXCHANGE_DATASETS
    from orchestration.lib.universe import configured_datasets, configured_symbols
    from orchestration.lib.venues import venue_facts

    # validated against every dataset (``--datasets liquidations`` is a valid run that plans no
    # exchange dataset), then narrowed to the exchange ones this plan is about
    configured = set(configured_datasets(tuple(d.name for d in ALL_DATASETS), env))
    datasets = configured & {d.name for d in EXCHANGE_DATASETS}
    rules = configured_rules(env)
    plan: list[Expectation] = []
    for config in map(venue_facts, dict.fromkeys(r.venue for r in rules)):
        venue = config.venue
        can = {d: dataset_capability(config, d) for d in datasets}
        perps = [r for r in rules if r.venue == venue]
        for rule in perps:
            per_perp = {
                "funding_rates": rule.settlements_per_day,
                "premium_index": HOURS_PER_DAY,
                "open_interest": 1,
                "long_short_ratio": 1 if can.get("long_short_ratio") == AVAILABLE else None,
            }
            for dataset, count in per_perp.items():
                if dataset in can and can[dataset] != NOT_AVAILABLE and count is not None:
                    plan.append(Expectation(venue, rule.symbol, rule.base_asset, dataset, count))
        if "ohlcv_daily" in can and can["ohlcv_daily"] != NOT_AVAILABLE:
            for symbol in configured_symbols(venue, env):
                plan.append(Expectation(venue, symbol, symbol.split("/")[0].upper(),
                                        "ohlcv_daily", 1))
        if can.get("dated_futures") == AVAILABLE:
            for base in dict.fromkeys(r.base_asset for r in perps):
                plan.append(Expectation(venue, None, base, "dated_futures", None))
    return tuple(sorted(plan, key=lambda e: (e.dataset, e.venue, e.base_asset, e.symbol or "")))


def plan_path(data_root: Path | None = None) -> Path:
    from orchestration.lib import settings

    return (data_root or settings.data_dir()) / "raw" / "exchange" / "_coverage_plan" / (
        "plan.parquet"
    )


def write_plan(data_root: Path | None = None, env: Mapping[str, str] | None = None) -> Path:
    """Write the current configuration's expectations where dbt reads them (atomic; the same
    configuration gives the same bytes). Called before every landing, import and build."""
    from orchestration.landing.parquet_files import atomic_write

    table = pa.Table.from_pylist(
        [
            {"venue": e.venue, "symbol": e.symbol, "base_asset": e.base_asset,
             "dataset": e.dataset, "rows_per_day": e.rows_per_day}
            for e in coverage_plan(env)
        ],
        schema=PLAN_SCHEMA,
    )
    target = plan_path(data_root)
    atomic_write(table, target)
    return target


def ensure_coverage_files(data_root: Path) -> None:
    """The plan (when none was written yet) and a zero-row typed file under ``_live_outcomes``,
    so both dbt sources are readable before the first landing or live run (the live writer
    owns the outcomes' ``dt=`` files)."""
    from orchestration.landing.outcomes import OUTCOME_SCHEMA
    from orchestration.landing.parquet_files import atomic_write

    target = data_root / "raw" / "exchange" / "_live_outcomes" / "_empty" / "schema.parquet"
    if not target.exists():
        atomic_write(OUTCOME_SCHEMA.empty_table(), target)
    if not plan_path(data_root).exists():
        write_plan(data_root)


def _days(dataset: str, table: pa.Table) -> pa.Array:
    """The UTC day each row counts for (an end-of-day snapshot at 00:00 counts for the day
    before), as the staging models date them."""
    if dataset == "funding_rates":
        return pc.cast(table.column("funding_ts"), pa.date32())
    ts = table.column("ts")
    if dataset in ("open_interest", "dated_futures"):
        ts = pc.subtract(ts, pa.scalar(1, pa.duration("us")))
    return pc.cast(ts, pa.date32())


def dataset_gaps(
    dataset: str, table: pa.Table, days: Iterable[date], plan: Iterable[Expectation]
) -> list[CoverageGap]:
    """Every (day, expectation) of ``dataset`` that ``table`` does not meet."""
    keyed = pa.table(
        {
            "day": _days(dataset, table),
            "venue": table.column("venue"),
            "symbol": table.column("symbol"),
            "base_asset": table.column("base_asset"),
        }
    )
    by_symbol = {
        (g["day"], g["venue"], g["symbol"]): g["count_all"]
        for g in keyed.group_by(["day", "venue", "symbol"]).aggregate([([], "count_all")])
        .to_pylist()
    }
    by_asset = {
        (g["day"], g["venue"], g["base_asset"]): g["count_all"]
        for g in keyed.group_by(["day", "venue", "base_asset"]).aggregate([([], "count_all")])
        .to_pylist()
    }
    gaps: list[CoverageGap] = []
    expectations = [e for e in plan if e.dataset == dataset]
    for day in days:
        for e in expectations:
            if e.symbol is None:
                found = by_asset.get((day, e.venue, e.base_asset), 0)
                label = f"{e.base_asset} dated futures"
            else:
                found = by_symbol.get((day, e.venue, e.symbol), 0)
                label = e.symbol
            expected = e.rows_per_day or 1
            if found < expected:
                gaps.append(CoverageGap(day, e.venue, label, expected, found))
    return gaps
