"""One fetcher per raw dataset, using ccxt's unified methods, for a UTC window.

Each fetcher returns a :class:`DatasetBatch`: rows in the raw contract's columns (not yet
validated: NaN, negative or missing values are passed on for the landing to quarantine), the
counters of what normalising did, and problems in words. Window: ``[start_ms, end_ms)``, whole
UTC days. Time stamps come from the venue; a value the venue publishes only "now" (no history)
is kept only when the venue's own clock puts it inside the window. The loop over symbols,
the paging and the batch they fill are shared by every dataset (``fetch_loop.py``), candles
by the price datasets (``candles.py``); this module and its two siblings
(``fetch_open_interest.py``, ``fetch_dated_futures.py``) say, per dataset, what to ask for
and how the answer maps to rows. :data:`FETCHERS` names them all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from orchestration.landing.capabilities import CURRENT_ONLY
from orchestration.sources.live.candles import MINUTE_MS, daily_candles, window_candles
from orchestration.sources.live.fetch_dated_futures import fetch_dated_futures
from orchestration.sources.live.fetch_loop import (
    Candles,
    DatasetBatch,
    ResolvedSymbol,
    Row,
    Window,
    base_row,
    current_values,
    each_symbol,
    history_fetch,
    in_window,
    perp_targets,
    perps,
    resolve_market,
)
from orchestration.sources.live.fetch_open_interest import fetch_open_interest
from orchestration.sources.live.series import (
    DAY_MS,
    HOUR_MS,
    VenueContext,
    ms_to_datetime,
    normalise_entries,
    round_ms,
)


def _interval_hours(value: Any) -> float | None:
    """ccxt's ``interval`` ('8h', '1h', '480m') as hours."""
    if value is None:
        return None
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([mhd])", str(value).strip())
    if not match:
        return None
    number, unit = float(match.group(1)), match.group(2)
    return {"m": number / 60, "h": number, "d": number * 24}[unit]


def _confirmed_intervals(stamps: list[int], meta_hours: float | None) -> list[float | None]:
    """The market's current interval, only on rows whose neighbouring gap confirms it."""
    if meta_hours is None:
        return [None] * len(stamps)
    meta_ms = meta_hours * HOUR_MS
    out: list[float | None] = []
    for i, ts in enumerate(stamps):
        prev_gap = ts - stamps[i - 1] if i > 0 else None
        next_gap = stamps[i + 1] - ts if i + 1 < len(stamps) else None
        gap = prev_gap if prev_gap is not None else next_gap
        out.append(meta_hours if gap is not None and abs(gap - meta_ms) < MINUTE_MS else None)
    return out


# --------------------------------------------------------------------------- funding


def fetch_funding(ctx: VenueContext, start_ms: int, end_ms: int) -> DatasetBatch:
    """Settlements from ``fetchFundingRateHistory``, one row each, in ``[start, end)``."""
    history = history_fetch("funding", "funding_rates", 200,
                            ctx.exchange.fetch_funding_rate_history)
    return each_symbol(ctx, start_ms, end_ms, perp_targets(ctx), history, _funding_rows)


def _funding_rows(window: Window, target: ResolvedSymbol, series: list[Row]) -> list[Row]:
    """Stamps rounded to the minute (they jitter), off-grid points dropped where the venue
    samples finer than it settles, the interval taken from the entry, the config or the
    market's interval where the neighbouring settlements confirm it."""
    cfg, counts = window.ctx.config, window.batch.counts
    entries = []
    for e in series:
        ts = e.get("timestamp")
        entries.append({**e, "timestamp": None if ts is None else round_ms(ts, MINUTE_MS)})
    entries = normalise_entries(entries, lambda e: e.get("timestamp"), counts)
    if cfg.funding_sample_hours:
        grid = cfg.funding_sample_hours * HOUR_MS
        on_grid = [e for e in entries if e["timestamp"] is None or e["timestamp"] % grid == 0]
        counts["resampled"] += len(entries) - len(on_grid)
        entries = on_grid
    inside = [e for e in entries if e["timestamp"] is None or in_window(
        e["timestamp"], window.start_ms, window.end_ms)]
    counts["out_of_window"] += len(entries) - len(inside)
    meta = None
    if cfg.market_interval_key:
        minutes = (target.market.get("info") or {}).get(cfg.market_interval_key)
        meta = float(minutes) / 60 if minutes not in (None, "") else None
    stamps = [e["timestamp"] for e in inside if e["timestamp"] is not None]
    confirmed = dict(zip(stamps, _confirmed_intervals(stamps, meta), strict=True))
    rows = []
    for e in inside:
        ts = e["timestamp"]
        interval = (
            _interval_hours(e.get("interval"))
            or cfg.funding_interval_hours
            or (confirmed.get(ts) if ts is not None else None)
        )
        rows.append(target.row(
            window.ctx,
            funding_ts=None if ts is None else ms_to_datetime(ts),
            rate=e.get("fundingRate"),
            interval_hours=interval,
        ))
    return rows


# ---------------------------------------------------------------------- premium index


def fetch_premium_index(ctx: VenueContext, start_ms: int, end_ms: int, capability: str
                        ) -> DatasetBatch:
    """Hourly mark and index closes (history), or the current mark/index (current only)."""
    if capability == CURRENT_ONLY:
        return _premium_snapshot(ctx, start_ms, end_ms)
    return each_symbol(ctx, start_ms, end_ms, perp_targets(ctx), _mark_and_index,
                        _premium_rows)


def _mark_and_index(window: Window, target: ResolvedSymbol) -> tuple[tuple[Candles, Candles], int]:
    ctx, batch, symbol = window.ctx, window.batch, target.symbol
    start_ms, end_ms = window.start_ms, window.end_ms
    limit = ctx.config.page_limit("premium_index", 500)
    mark, lost_m = window_candles(ctx, batch, f"mark 1h {symbol}", ctx.exchange.fetch_mark_ohlcv,
                            symbol, "1h", start_ms, end_ms, limit, "premium_index")
    index, lost_i = window_candles(ctx, batch, f"index 1h {symbol}", ctx.exchange.fetch_index_ohlcv,
                             symbol, "1h", start_ms, end_ms, limit, "premium_index")
    return (mark, index), lost_m + lost_i


def _premium_rows(window: Window, target: ResolvedSymbol, closes: tuple[Candles, Candles]
                  ) -> list[Row]:
    """One row per hour with a mark or an index candle (the other side None when missing)."""
    mark, index = closes
    return [
        target.row(
            window.ctx,
            ts=ms_to_datetime(ts),
            mark_price=mark[ts][4] if ts in mark else None,
            index_price=index[ts][4] if ts in index else None,
        )
        for ts in sorted(set(mark) | set(index))
    ]


def _premium_snapshot(ctx: VenueContext, start_ms: int, end_ms: int) -> DatasetBatch:
    batch = DatasetBatch(mode="current", expected_by_day={})
    ex = ctx.exchange
    symbols = [s for _, s in perps(ctx) if resolve_market(ctx, batch, s) is not None]
    snapshots = current_values(ctx, batch, symbols, "fetchFundingRates", "funding rates",
                         ex.fetch_funding_rates, "ticker", ex.fetch_ticker)
    if snapshots is None:
        return batch
    clock = ctx.response_time_ms()
    for base, symbol in perps(ctx):
        snap = snapshots.get(symbol)
        if snap is None:
            if symbol in symbols:
                batch.failed_symbols[symbol] = f"no current value returned for {symbol}"
            continue
        ts = snap.get("timestamp") or clock
        if not in_window(ts, start_ms, end_ms):
            batch.counts["current_outside_window"] += 1
            continue
        day = ms_to_datetime(ts).date()
        batch.expected_by_day[day] = batch.expected_by_day.get(day, 0) + 1
        batch.rows.append({
            **base_row(ctx, symbol, base),
            "ts": ms_to_datetime((ts // HOUR_MS) * HOUR_MS),
            "mark_price": snap.get("markPrice"),
            "index_price": snap.get("indexPrice"),
        })
    return batch


# -------------------------------------------------------------------------- candles


def fetch_ohlcv_daily(ctx: VenueContext, start_ms: int, end_ms: int) -> DatasetBatch:
    """Daily candles of every configured perpetual (perp API) and spot pair (spot API: on
    Binance a separate client, since the USD-M client resolves ``BTC/USDT`` to the perp)."""
    batch = each_symbol(ctx, start_ms, end_ms, perp_targets(ctx, market_type="perp"),
                         _ohlcv_candles, _ohlcv_rows)
    spots = [(b, s, {"market_type": "spot"}) for b, s in ctx.config.spots.items() if s]
    if spots:
        _merge(batch, each_symbol(ctx.spot(), start_ms, end_ms, spots, _ohlcv_candles,
                                   _ohlcv_rows))
    return batch


def _merge(into: DatasetBatch, other: DatasetBatch) -> None:
    """Add ``other``'s rows, counters, problems and failures to ``into``."""
    into.rows.extend(other.rows)
    into.counts.update(other.counts)
    into.problems.extend(other.problems)
    into.failed_symbols.update(other.failed_symbols)


def _ohlcv_candles(window: Window, target: ResolvedSymbol) -> tuple[Candles, int]:
    return daily_candles(window.ctx, window.batch, f"1d {target.symbol}",
                          window.ctx.exchange.fetch_ohlcv, target.symbol, window.start_ms,
                          window.end_ms)


def _ohlcv_rows(window: Window, target: ResolvedSymbol, candles: Candles) -> list[Row]:
    return [
        target.row(window.ctx, ts=ms_to_datetime(ts), open=c[1], high=c[2], low=c[3],
                   close=c[4], volume_base=c[5])
        for ts, c in sorted(candles.items())
    ]


# ------------------------------------------------------------------- long / short


def fetch_long_short(ctx: VenueContext, start_ms: int, end_ms: int) -> DatasetBatch:
    """Account long/short ratio history (daily), one row per published point."""
    history = history_fetch("long/short", "long_short_ratio", 200,
                       ctx.exchange.fetch_long_short_ratio_history, ctx.config.ls_timeframe,
                       min_span_ms=DAY_MS)
    return each_symbol(ctx, start_ms, end_ms, perp_targets(ctx), history, _long_short_rows)


def _long_short_rows(window: Window, target: ResolvedSymbol, series: list[Row]) -> list[Row]:
    """Each point in the window, with the long share of accounts the ratio implies."""
    rows = []
    for e in normalise_entries(series, lambda e: e.get("timestamp"), window.batch.counts):
        ts = e.get("timestamp")
        if ts is not None and not in_window(ts, window.start_ms, window.end_ms):
            window.batch.counts["out_of_window"] += 1
            continue
        ratio = e.get("longShortRatio")
        share = ratio / (1.0 + ratio) if isinstance(ratio, float | int) and ratio >= 0 else None
        rows.append(target.row(
            window.ctx,
            ts=None if ts is None else ms_to_datetime(ts),
            long_short_ratio=ratio, long_account_share=share,
        ))
    return rows


FETCHERS: dict[str, Callable[[VenueContext, int, int, str], DatasetBatch]] = {
    "funding_rates": lambda ctx, s, e, cap: fetch_funding(ctx, s, e),
    "premium_index": fetch_premium_index,
    "ohlcv_daily": lambda ctx, s, e, cap: fetch_ohlcv_daily(ctx, s, e),
    "open_interest": fetch_open_interest,
    "long_short_ratio": lambda ctx, s, e, cap: fetch_long_short(ctx, s, e),
    "dated_futures": lambda ctx, s, e, cap: fetch_dated_futures(ctx, s, e),
}
"""Dataset name -> fetcher(ctx, start_ms, end_ms, capability)."""

__all__ = ["FETCHERS"]
