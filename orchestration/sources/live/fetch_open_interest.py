"""The ``open_interest`` fetcher: end-of-day open interest per perpetual, from the venue's
history or, where it has none, today's snapshot; ccxt's structure mapped to contracts, base
and US dollars per contract type.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from orchestration.landing.capabilities import CURRENT_ONLY
from orchestration.sources.live.candles import snapshot_day
from orchestration.sources.live.fetch_loop import (
    DatasetBatch,
    ResolvedSymbol,
    Row,
    Window,
    base_row,
    current_values,
    each_symbol,
    history_fetch,
    perp_targets,
    perps,
    resolve_market,
)
from orchestration.sources.live.series import (
    DAY_MS,
    HOUR_MS,
    VenueContext,
    ms_to_datetime,
    normalise_entries,
)

USD_LIKE = frozenset({"USD", "USDT", "USDC"})


def _oi_row(ctx: VenueContext, market: dict[str, Any], symbol: str, base: str,
            entry: dict[str, Any], ts: int, kind: str) -> dict[str, Any]:
    """Map ccxt's open-interest structure to contracts / base / USD, per contract type."""
    amount = entry.get("openInterestAmount")
    value = entry.get("openInterestValue")
    base_volume = entry.get("baseVolume")
    size = market.get("contractSize") or 1.0
    if market.get("inverse"):
        usd = value if value is not None else (amount * size if amount is not None else None)
        contracts = amount if amount is not None else (usd / size if usd is not None else None)
        oi_base = base_volume
    else:
        contracts = amount
        oi_base = base_volume if base_volume is not None else (
            amount * size if amount is not None else None)
        usd = value if market.get("quote") in USD_LIKE else None
    return {**base_row(ctx, symbol, base), "kind": kind, "ts": ms_to_datetime(ts),
            "oi_contracts": contracts, "oi_base": oi_base, "oi_usd": usd}


def fetch_open_interest(ctx: VenueContext, start_ms: int, end_ms: int, capability: str
                        ) -> DatasetBatch:
    """End-of-day open interest per perpetual: the last history point of each UTC day
    (``(D 00:00, D+1 00:00]``), or the current value where the venue has no history."""
    if capability == CURRENT_ONLY:
        return _oi_snapshot(ctx, start_ms, end_ms)
    history = history_fetch("open interest", "open_interest", 200,
                       ctx.exchange.fetch_open_interest_history, ctx.config.oi_timeframe,
                       offset_ms=1)
    return each_symbol(ctx, start_ms, end_ms, perp_targets(ctx, kind="perp"), history,
                        _oi_rows)


def _oi_rows(window: Window, target: ResolvedSymbol, series: list[Row]) -> list[Row]:
    """The last point of each day in ``(start, end]``, with a problem where that point is
    more than an hour before the day's close."""
    batch = window.batch
    entries = normalise_entries(series, lambda e: e.get("timestamp"), batch.counts)
    latest: dict[date, dict[str, Any]] = {}
    for e in entries:
        ts = e.get("timestamp")
        if ts is None or not (window.start_ms < ts <= window.end_ms):
            batch.counts["out_of_window"] += 1
            continue
        day = snapshot_day(ts)
        if day in latest:
            batch.counts["intraday_points_summarised"] += 1
        latest[day] = e
    rows = []
    for e in latest.values():
        rows.append(_oi_row(window.ctx, target.market, target.symbol, target.base, e,
                            e["timestamp"], "perp"))
        end_of_day = (e["timestamp"] - 1) // DAY_MS * DAY_MS + DAY_MS
        if end_of_day - e["timestamp"] > HOUR_MS:
            batch.problems.append(
                f"{target.symbol}: last open interest of {snapshot_day(e['timestamp'])} is "
                f"{ms_to_datetime(e['timestamp']):%H:%M} UTC, not the close"
            )
    return rows


def _oi_snapshot(ctx: VenueContext, start_ms: int, end_ms: int) -> DatasetBatch:
    batch = DatasetBatch(mode="current", expected_by_day={})
    ex = ctx.exchange
    resolved = {s: m for _, s in perps(ctx) if (m := resolve_market(ctx, batch, s)) is not None}
    values = current_values(ctx, batch, list(resolved), "fetchOpenInterests", "open interests",
                      ex.fetch_open_interests, "open interest", ex.fetch_open_interest)
    if values is None:
        return batch
    clock = ctx.response_time_ms()
    for base, symbol in perps(ctx):
        if symbol not in resolved:
            continue
        entry = values.get(symbol)
        if entry is None:
            batch.failed_symbols[symbol] = f"no current open interest returned for {symbol}"
            continue
        ts = entry.get("timestamp") or clock
        if ts is None or not (start_ms < ts <= end_ms):
            batch.counts["current_outside_window"] += 1
            continue
        day = snapshot_day(ts)
        batch.expected_by_day[day] = batch.expected_by_day.get(day, 0) + 1
        batch.rows.append(_oi_row(ctx, resolved[symbol], symbol, base, entry, ts, "perp"))
    return batch
