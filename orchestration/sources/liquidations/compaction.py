"""The daily landing of liquidations: compact the collector's files, fetch Deribit's REST.

``compact_stream_day`` turns one UTC day of the collector's hourly segments and coverage
records (:mod:`store`) into that day's ``raw/liquidations`` and ``raw/liquidation_coverage``
rows: duplicates across segments and sessions dropped on the landing key, rows sorted, so
compacting the same files twice lands the same bytes. ``deribit_day`` calls ccxt's REST
``fetchLiquidations`` for Deribit's perpetuals (bankruptcy settlement records; they carry an
amount but no side or price, so landing quarantines them with that reason, counted, instead of
inventing a side).

``coverage_findings`` is the coverage check: a configured streamed venue with no coverage
record and no row on a day failed (nobody listened); one connected less than the configured
share of the day is a warning.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from orchestration.landing.raw_schemas import LIQUIDATION_COVERAGE, LIQUIDATIONS
from orchestration.sources.liquidations.store import read_stream_day


@dataclass(frozen=True, slots=True)
class StreamDay:
    """One compacted day: rows, coverage and what the collector quarantined itself."""

    liquidations: pa.Table
    coverage: pa.Table
    collector_quarantined: int


def compact_stream_day(data_root: Path, day: date) -> StreamDay:
    events, coverage, quarantined = read_stream_day(data_root, day)
    return StreamDay(events, coverage, quarantined)


def deribit_day(
    day: date, symbols: dict[str, str], api_url: str | None = None, timeout_ms: int = 10_000
) -> pa.Table:
    """Deribit's liquidation (bankruptcy settlement) records of ``day`` for each perpetual.

    ``symbols`` maps ccxt unified symbols to base assets. Rows keep what Deribit publishes
    (time, amount in the base currency); price and side are absent and stay null, so the
    landing quarantines them as ``missing side`` rather than guessing.
    """
    from orchestration.sources.liquidations.collector import replace_host
    from orchestration.sources.live.client import exchange_class

    exchange = exchange_class("deribit")({"enableRateLimit": True, "timeout": timeout_ms,
                                          "has": {"fetchCurrencies": False}})
    if api_url:
        exchange.urls["api"] = replace_host(exchange.urls["api"], api_url)
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    since = int(start.timestamp() * 1000)
    until = int((start + timedelta(days=1)).timestamp() * 1000)
    rows: list[dict] = []
    for symbol, base in symbols.items():
        # Deribit searches backwards from search_start_timestamp, while ccxt drops records
        # older than ``since``: pass the end of the day as the venue's own parameter and keep
        # the day's records (up to 1,000 per call).
        for item in exchange.fetch_liquidations(
            symbol, limit=1000, params={"search_start_timestamp": until}
        ):
            ts = item.get("timestamp")
            if ts is None or not since <= ts < until:
                continue
            rows.append({
                "source": "ccxt:deribit",
                "venue": "deribit",
                "symbol": symbol,
                "base_asset": base,
                "liquidated_at": datetime.fromtimestamp(ts / 1000, tz=UTC),
                "side": None,
                "price": item.get("price"),
                "amount_base": item.get("baseValue"),
                "notional_usd": item.get("quoteValue"),
                "capture": "rest",
            })
    return pa.Table.from_pylist(rows, schema=LIQUIDATIONS.schema)


@dataclass(frozen=True, slots=True)
class CoverageFinding:
    venue: str
    day: date
    connected_share: float | None
    events: int

    @property
    def missing(self) -> bool:
        return self.connected_share is None and self.events == 0

    def describe(self) -> str:
        if self.missing:
            return f"{self.venue} {self.day}: no coverage record and no row (no collector ran)"
        share = "unknown" if self.connected_share is None else f"{self.connected_share:.1%}"
        return f"{self.venue} {self.day}: connected {share} of the day, {self.events} events"


def coverage_findings(
    days: list[date],
    venues: list[str],
    liquidations: pa.Table,
    coverage: pa.Table,
    min_share: float,
) -> list[CoverageFinding]:
    """Venue-days below ``min_share`` of connected time, or with no data at all."""
    findings: list[CoverageFinding] = []
    for day in days:
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        end = start + timedelta(days=1)
        for venue in venues:
            cov = coverage.filter(
                pc.and_(pc.equal(coverage["venue"], venue),
                        pc.and_(pc.greater_equal(coverage["hour_ts"], start),
                                pc.less(coverage["hour_ts"], end)))
            ) if coverage.num_rows else LIQUIDATION_COVERAGE.schema.empty_table()
            ev = liquidations.filter(
                pc.and_(pc.equal(liquidations["venue"], venue),
                        pc.and_(pc.greater_equal(liquidations["liquidated_at"], start),
                                pc.less(liquidations["liquidated_at"], end)))
            ) if liquidations.num_rows else LIQUIDATIONS.schema.empty_table()
            share = (
                min(1.0, (pc.sum(cov["seconds_connected"]).as_py() or 0.0) / 86_400.0)
                if cov.num_rows else None
            )
            finding = CoverageFinding(venue, day, share, ev.num_rows)
            if finding.missing or (share is not None and share < min_share):
                findings.append(finding)
    return findings
