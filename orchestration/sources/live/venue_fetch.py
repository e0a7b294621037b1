"""Fetch every requested dataset of one venue (or all venues in parallel) for a UTC window,
split the rows by partition day, and judge each (day, venue, dataset) against the venue's
schedule.

Completeness rules (what ``expected``/``found`` count):

* funding: a settlement in every block of ``default_interval_hours`` of the day (3 blocks at
  8 h, 24 at 1 h) for every perpetual; a venue that shortens its interval only adds rows, so
  8 h -> 4 h -> 1 h mid-day is complete;
* premium index (history): 24 hourly rows per perpetual;
* daily candles: one per configured perpetual and spot pair;
* open interest / long-short ratio (history): one per perpetual;
* dated futures and current-only snapshots: what the market list / the snapshot implies.

An incomplete history dataset is fetched once more (empty and truncated pages are often
transient) before it is recorded as ``partial``/``failed``. Rows are never dropped here: the
outcome counts what the landing will quarantine (same ``split_valid`` rules).
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Any

import ccxt
import dagster as dg
import pyarrow as pa

from orchestration.landing import landing
from orchestration.landing.capabilities import (
    AVAILABLE,
    CURRENT_ONLY,
    EXCHANGE_DATASET_NAMES,
    dataset_capability,
)
from orchestration.landing.outcomes import FAILED, NOT_AVAILABLE, OK, PARTIAL, DatasetOutcome
from orchestration.landing.raw_schemas import DATASETS_BY_NAME
from orchestration.sources.live.config import VenueConfig
from orchestration.sources.live.fetch_loop import DatasetBatch
from orchestration.sources.live.fetchers import FETCHERS
from orchestration.sources.live.retry import RetryPolicy
from orchestration.sources.live.series import (
    HOUR_MS,
    VenueContext,
    day_start_ms,
)

log = dg.get_dagster_logger("live")

ROW_TIME_COLUMN = {
    "funding_rates": "funding_ts",
    "premium_index": "ts",
    "ohlcv_daily": "ts",
    "open_interest": "ts",
    "long_short_ratio": "ts",
    "dated_futures": "ts",
}
SNAPSHOT_DATASETS = frozenset({"open_interest", "dated_futures"})
"""Datasets stamped at the day's close (00:00 of D+1 belongs to D)."""


@dataclass(frozen=True, slots=True)
class VenueClients:
    """The ccxt clients of one venue: the perp/futures client and, where the venue's spot
    API is a separate ccxt class (Binance), the spot client."""

    config: VenueConfig
    exchange: ccxt.Exchange
    spot: ccxt.Exchange | None = None


@dataclass
class VenueResult:
    """Rows by (dataset, day) and the outcome record of one venue over a window."""

    venue: str
    rows: dict[tuple[str, date], list[dict[str, Any]]] = field(default_factory=dict)
    outcomes: list[DatasetOutcome] = field(default_factory=list)
    unreachable: str | None = None
    requests: int = 0

    @property
    def failed_everything(self) -> bool:
        return self.unreachable is not None or (
            bool(self.outcomes)
            and all(o.status in (FAILED, NOT_AVAILABLE) for o in self.outcomes)
            and any(o.status == FAILED for o in self.outcomes)
        )


def describe_error(error: BaseException) -> str:
    """``Type: first line (root cause)`` - enough to act on, without a traceback."""
    text = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
    cause = error.__cause__ or error.__context__
    detail = ""
    if cause is not None:
        found = re.search(r"\[Errno -?\d+\] ([^)\"']+)", str(cause))
        detail = found.group(1).strip() if found else type(cause).__name__
    return f"{type(error).__name__}: {text}" + (f" ({detail})" if detail else "")


def row_day(dataset: str, value: datetime | None, fallback: date) -> date:
    if value is None:
        return fallback
    if dataset in SNAPSHOT_DATASETS:
        return (value - timedelta(microseconds=1)).date()
    return value.date()


def _blocks_found(cfg: VenueConfig, rows: list[dict[str, Any]], day: date) -> tuple[int, int, str]:
    """Funding completeness: covered settlement blocks vs blocks due, per perpetual."""
    block_h = cfg.default_interval_hours
    n_blocks = max(1, round(24 / block_h))
    start = day_start_ms(day)
    expected = found = 0
    gaps: list[str] = []
    for symbol in cfg.perps.values():
        covered = set()
        for r in rows:
            if r["symbol"] == symbol and r.get("funding_ts") is not None:
                offset = int(r["funding_ts"].timestamp() * 1000) - start
                covered.add(int(offset // (block_h * HOUR_MS)))
        missing = [b for b in range(n_blocks) if b not in covered]
        expected += n_blocks
        found += n_blocks - len(missing)
        if missing:
            gaps.append(
                f"{symbol}: no settlement in " + ", ".join(
                    f"{int(b * block_h):02d}-{int((b + 1) * block_h):02d}h" for b in missing[:4]
                ) + ("..." if len(missing) > 4 else "")
            )
    return expected, found, "; ".join(gaps)


def _per_symbol_found(symbols: Iterable[str], rows: list[dict[str, Any]], per_symbol: int,
                      ) -> tuple[int, int, str]:
    counts = Counter(r["symbol"] for r in rows)
    symbols = list(symbols)
    missing = [s for s in symbols if counts.get(s, 0) < per_symbol]
    found = sum(min(counts.get(s, 0), per_symbol) for s in symbols)
    msg = "; ".join(f"{s}: {counts.get(s, 0)}/{per_symbol}" for s in missing)
    return per_symbol * len(symbols), found, msg


def _judge(cfg: VenueConfig, dataset: str, day: date, valid: list[dict[str, Any]],
           batch: DatasetBatch) -> tuple[int | None, int, str]:
    """(expected, found, gap message) of one day."""
    if batch.expected_by_day is not None:
        expected = batch.expected_by_day.get(day, 0)
        return expected, min(len(valid), expected) if expected else len(valid), ""
    if dataset == "funding_rates":
        return _blocks_found(cfg, valid, day)
    if dataset == "premium_index":
        return _per_symbol_found(cfg.perps.values(), valid, 24)
    if dataset == "ohlcv_daily":
        symbols = [*cfg.perps.values(), *(s for s in cfg.spots.values() if s)]
        return _per_symbol_found(symbols, valid, 1)
    return _per_symbol_found(cfg.perps.values(), valid, 1)


def _split_by_day(dataset: str, batch: DatasetBatch, days: list[date]
                  ) -> dict[date, list[dict[str, Any]]]:
    by_day: dict[date, list[dict[str, Any]]] = {d: [] for d in days}
    column = ROW_TIME_COLUMN[dataset]
    for row in batch.rows:
        day = row_day(dataset, row.get(column), days[0])
        by_day.setdefault(day if day in by_day else days[0], []).append(row)
    return by_day


def _valid_rows(dataset: str, rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    if not rows:
        return [], 0
    schema = DATASETS_BY_NAME[dataset].schema
    valid, rejected = landing.split_valid(DATASETS_BY_NAME[dataset],
                                          pa.Table.from_pylist(rows, schema=schema))
    return valid.to_pylist(), rejected.num_rows


def _incomplete_days(cfg: VenueConfig, dataset: str, batch: DatasetBatch, days: list[date]
                     ) -> list[date]:
    """The days of the window worth fetching again: all of them when a symbol failed (or a
    current-only snapshot did), else those with fewer valid rows than the schedule implies."""
    if batch.mode != "history" or batch.failed_symbols:
        return list(days) if batch.failed_symbols else []
    bad = []
    for day, rows in _split_by_day(dataset, batch, days).items():
        valid, _ = _valid_rows(dataset, rows)
        expected, found, _ = _judge(cfg, dataset, day, valid, batch)
        if expected and found < expected:
            bad.append(day)
    return bad


def _day_runs(days: list[date]) -> list[list[date]]:
    runs: list[list[date]] = []
    for day in sorted(days):
        if runs and runs[-1][-1] + timedelta(days=1) == day:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def _with_days_replaced(dataset: str, batch: DatasetBatch, other: DatasetBatch,
                        days: list[date]) -> DatasetBatch:
    """``batch`` with the rows of ``days`` taken from ``other`` (a refetch of those days)."""
    column, chosen = ROW_TIME_COLUMN[dataset], set(days)
    merged = DatasetBatch(mode=batch.mode, expected_by_day=batch.expected_by_day)
    merged.rows = [r for r in batch.rows if row_day(dataset, r.get(column), days[0]) not in chosen]
    merged.rows += other.rows
    merged.counts = batch.counts + other.counts
    merged.problems = list(dict.fromkeys([*other.problems, *batch.problems]))
    merged.failed_symbols = dict(other.failed_symbols)
    return merged


def _refetch_incomplete(ctx: VenueContext, dataset: str, capability: str, batch: DatasetBatch,
                        days: list[date]) -> tuple[DatasetBatch, bool]:
    """Fetch again only the runs of incomplete days (a window of half a year must not be
    read twice because a venue's history cap leaves its first weeks empty); each run's
    refetch is kept where it covers at least as much."""
    cfg, refetched = ctx.config, False
    for run in _day_runs(_incomplete_days(cfg, dataset, batch, days)):
        start_ms, end_ms = day_start_ms(run[0]), day_start_ms(run[-1] + timedelta(days=1))
        retry = _run(ctx, dataset, start_ms, end_ms, capability)
        refetched = True
        if len(run) == len(days):
            if _score(cfg, dataset, retry, days) >= _score(cfg, dataset, batch, days):
                batch = retry
            continue
        if _score(cfg, dataset, retry, run) >= _score(cfg, dataset, batch, run):
            batch = _with_days_replaced(dataset, batch, retry, run)
    return batch, refetched


def _outcomes_for(cfg: VenueConfig, dataset: str, batch: DatasetBatch, days: list[date],
                  requests: int, retries: int, refetched: bool
                  ) -> tuple[dict[date, list[dict[str, Any]]], list[DatasetOutcome]]:
    by_day = _split_by_day(dataset, batch, days)
    outcomes = []
    details = dict(batch.counts) | ({"refetched": 1} if refetched else {})
    failures = "; ".join(f"{s}: {e}" for s, e in batch.failed_symbols.items())
    for day in days:
        rows = by_day.get(day, [])
        valid, rejected = _valid_rows(dataset, rows)
        expected, found, gaps = _judge(cfg, dataset, day, valid, batch)
        messages = [m for m in (failures, gaps, "; ".join(dict.fromkeys(batch.problems))) if m]
        if batch.mode == "history" and batch.expected_by_day is not None and not expected \
                and not rows and not batch.failed_symbols:
            status = NOT_AVAILABLE
            messages.append("no listed contract was trading on this day (venues drop expired "
                            "contracts from their market lists)")
        elif batch.mode == "current" and not expected and not rows:
            status = NOT_AVAILABLE if not batch.failed_symbols else FAILED
            messages.append("the venue publishes only the current value; none was taken "
                            "during this day")
        elif not valid and (expected or batch.failed_symbols):
            status = FAILED
            if rows:
                messages.insert(0, f"all {len(rows)} row(s) fail validation (quarantined)")
            elif not failures:
                messages.insert(0, "no rows returned (empty page?)")
        elif (expected is not None and found < expected) or rejected or batch.failed_symbols:
            status = PARTIAL
            if rejected:
                messages.append(f"{rejected} row(s) will be quarantined")
        else:
            status = OK
        outcomes.append(DatasetOutcome(
            day=day, venue=cfg.venue, dataset=dataset, status=status, rows=len(rows),
            expected=expected, found=found, rejected=rejected, requests=requests,
            retries=retries, message=" | ".join(messages)[:1000],
            details=MappingProxyType(details),
        ))
    return by_day, outcomes


def fetch_venue(
    config: VenueConfig,
    exchange: ccxt.Exchange,
    start_day: date,
    end_day: date,
    datasets: Iterable[str],
    *,
    policy: RetryPolicy | None = None,
    incomplete_refetches: int = 1,
    rng: random.Random | None = None,
    spot_exchange: ccxt.Exchange | None = None,
) -> VenueResult:
    """All requested datasets of one venue for days ``[start_day, end_day)``.

    Never raises for venue trouble: errors become ``failed`` outcomes (and ``unreachable``
    when not even the market list could be loaded). ``spot_exchange``: the venue's spot
    client where spot is a separate API (Binance).
    """
    days = [start_day + timedelta(days=i) for i in range((end_day - start_day).days)]
    start_ms, end_ms = day_start_ms(start_day), day_start_ms(end_day)
    ctx = VenueContext(config, exchange, policy or RetryPolicy(), rng or random.Random(),
                       spot_exchange=spot_exchange)
    result = VenueResult(venue=config.venue)
    wanted = [d for d in EXCHANGE_DATASET_NAMES if d in set(datasets)]
    try:
        ctx.load_markets()
    except ccxt.BaseError as error:
        reason = describe_error(error)
        result.unreachable = reason
        result.requests = ctx.requests
        for dataset in wanted:
            for day in days:
                result.rows[(dataset, day)] = []
                result.outcomes.append(DatasetOutcome(
                    day=day, venue=config.venue, dataset=dataset, status=FAILED,
                    requests=ctx.requests, retries=ctx.stats.retries,
                    message=f"venue unreachable: {reason}",
                ))
        return result
    for dataset in wanted:
        capability = dataset_capability(config, dataset)
        if capability not in (AVAILABLE, CURRENT_ONLY):
            for day in days:
                result.rows[(dataset, day)] = []
                result.outcomes.append(DatasetOutcome(
                    day=day, venue=config.venue, dataset=dataset, status=NOT_AVAILABLE,
                    message=capability,
                ))
            continue
        before_requests, before_retries = ctx.requests, ctx.stats.retries
        batch = _run(ctx, dataset, start_ms, end_ms, capability)
        refetched = False
        for _ in range(incomplete_refetches):
            batch, again = _refetch_incomplete(ctx, dataset, capability, batch, days)
            refetched = refetched or again
            if not again:
                break
        by_day, outcomes = _outcomes_for(
            config, dataset, batch, days, ctx.requests - before_requests,
            ctx.stats.retries - before_retries, refetched,
        )
        for day, rows in by_day.items():
            result.rows[(dataset, day)] = rows
        result.outcomes.extend(outcomes)
    result.requests = ctx.requests
    return result


def _run(ctx: VenueContext, dataset: str, start_ms: int, end_ms: int, capability: str
         ) -> DatasetBatch:
    try:
        return FETCHERS[dataset](ctx, start_ms, end_ms, capability)
    except ccxt.BaseError as error:  # a fetcher-level failure not tied to one symbol
        batch = DatasetBatch()
        batch.failed_symbols["*"] = f"{type(error).__name__}: {str(error)[:200]}"
        return batch


def _score(
    cfg: VenueConfig, dataset: str, batch: DatasetBatch, days: list[date]
) -> tuple[int, int]:
    """(fewer failed symbols, more covered slots) over ``days`` only (rows of other days of
    the batch are left out, undated ones count for the first day)."""
    column = ROW_TIME_COLUMN[dataset]
    by_day: dict[date, list[dict[str, Any]]] = {d: [] for d in days}
    for row in batch.rows:
        value = row.get(column)
        day = days[0] if value is None else row_day(dataset, value, days[0])
        if day in by_day:
            by_day[day].append(row)
    found = 0
    for day, rows in by_day.items():
        valid, _ = _valid_rows(dataset, rows)
        found += _judge(cfg, dataset, day, valid, batch)[1]
    return (-len(batch.failed_symbols), found)


def fetch_venues(
    clients: Mapping[str, VenueClients],
    start_day: date,
    end_day: date,
    datasets: Iterable[str],
    *,
    policy: RetryPolicy | None = None,
    incomplete_refetches: int = 1,
) -> dict[str, VenueResult]:
    """``fetch_venue`` for every venue in parallel: rate limits are per venue, and one slow
    or dead venue must not hold the others up."""
    datasets = list(datasets)
    if not clients:
        return {}
    with ThreadPoolExecutor(max_workers=len(clients), thread_name_prefix="venue") as pool:
        futures = {
            venue: pool.submit(fetch_venue, c.config, c.exchange, start_day, end_day, datasets,
                               policy=policy, incomplete_refetches=incomplete_refetches,
                               spot_exchange=c.spot)
            for venue, c in clients.items()
        }
        results = {venue: f.result() for venue, f in futures.items()}
    for venue, res in results.items():
        if res.unreachable:
            log.warning("live %s unreachable: %s", venue, res.unreachable)
            continue
        bad = [o for o in res.outcomes if o.status in (FAILED, PARTIAL)]
        for o in bad[:20]:
            log.warning("live %s", o.describe())
    return results


def tables_by_day(
    results: Iterable[VenueResult], days: Iterable[date], datasets: Iterable[str]
) -> dict[date, dict[str, pa.Table]]:
    """Merge venue rows into one contract-shaped table per (day, dataset)."""
    merged: dict[tuple[str, date], list[dict[str, Any]]] = defaultdict(list)
    for res in results:
        for key, rows in res.rows.items():
            merged[key].extend(rows)
    out: dict[date, dict[str, pa.Table]] = {}
    for day in days:
        out[day] = {}
        for name in datasets:
            schema = DATASETS_BY_NAME[name].schema
            out[day][name] = pa.Table.from_pylist(merged.get((name, day), []), schema=schema)
    return out


__all__ = ["VenueClients", "VenueResult", "fetch_venue", "fetch_venues", "tables_by_day"]
