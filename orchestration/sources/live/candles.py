"""Candles of one symbol over a UTC window, paged and normalised, and the day a snapshot
closes: shared by the price datasets (mark/index, daily OHLCV) and the dated futures.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from orchestration.sources.live.fetch_loop import (
    Candles,
    DatasetBatch,
    in_window,
    paged,
)
from orchestration.sources.live.series import (
    VenueContext,
    ms_to_datetime,
    normalise_entries,
)

MINUTE_MS = 60_000


def window_candles(ctx: VenueContext, batch: DatasetBatch, describe: str,
                   method: Callable[..., list[list[Any]]], symbol: str, timeframe: str,
                   start_ms: int, end_ms: int, limit: int, dataset: str,
                   ) -> tuple[Candles, int]:
    """Candles keyed by open time in ``[start, end)``; returns (candles, parser_discarded)."""
    series = paged(ctx, describe, method, symbol, (timeframe,), dataset, start_ms, end_ms, limit)
    batch.problems.extend(series.problems)
    entries = [
        {"timestamp": c[0], "open": c[1], "high": c[2], "low": c[3], "close": c[4],
         "volume": c[5] if len(c) > 5 else None}
        for c in series.entries
    ]
    entries = normalise_entries(entries, lambda e: e["timestamp"], batch.counts)
    out: Candles = {}
    for e in entries:
        ts = e["timestamp"]
        if not in_window(ts, start_ms, end_ms):
            batch.counts["out_of_window"] += 1
            continue
        if ts in out:  # conflicting duplicate candle: keep the first, count it
            continue
        out[ts] = [ts, e["open"], e["high"], e["low"], e["close"], e["volume"]]
    return out, series.discarded_by_parser


def daily_candles(ctx: VenueContext, batch: DatasetBatch, describe: str,
                  method: Callable[..., list[list[Any]]], symbol: str, start_ms: int,
                  end_ms: int) -> tuple[Candles, int]:
    """Daily candles, paged and windowed like the ``ohlcv_daily`` dataset."""
    return window_candles(ctx, batch, describe, method, symbol, "1d", start_ms, end_ms,
                          ctx.config.page_limit("ohlcv_daily", 200), "ohlcv_daily")


def snapshot_day(ts_ms: int) -> date:
    """A snapshot stamped 00:00 UTC of D+1 is the close of D (dbt's ``snapshot_date``)."""
    return ms_to_datetime(ts_ms - 1).date()
