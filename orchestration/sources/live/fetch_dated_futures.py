"""The ``dated_futures`` fetcher: the daily close of each listed dated future with its
expiry and the spot index at the close.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import ccxt

from orchestration.sources.live.candles import MINUTE_MS, daily_candles, snapshot_day
from orchestration.sources.live.fetch_loop import (
    DatasetBatch,
    base_row,
    error_text,
    paged,
)
from orchestration.sources.live.series import (
    DAY_MS,
    HOUR_MS,
    VenueContext,
    ms_to_datetime,
    round_ms,
)


def _listed_futures(ctx: VenueContext) -> list[dict[str, Any]]:
    cfg = ctx.config
    return sorted(
        (
            m for m in (ctx.exchange.markets or {}).values()
            if m.get("type") == "future" and m.get("base") in cfg.perps
            and m.get("quote") in cfg.futures_quotes and m.get("expiry")
        ),
        key=lambda m: (m["base"], m["expiry"], m["symbol"]),
    )


def _index_closes(ctx: VenueContext, batch: DatasetBatch, base: str, start_ms: int,
                  end_ms: int) -> dict[date, float | None]:
    """The spot index at each day's close (00:00 UTC of the next day)."""
    cfg = ctx.config
    perp = cfg.perps[base]
    if cfg.futures_index == "funding_history":
        series = paged(
            ctx, f"index via funding {perp}", ctx.exchange.fetch_funding_rate_history, perp, (),
            "funding_rates", start_ms + HOUR_MS, end_ms + HOUR_MS,
            cfg.page_limit("funding_rates", 200),
        )
        return {
            snapshot_day(round_ms(e["timestamp"], MINUTE_MS)): e.get("indexPrice")
            for e in series.entries
            if e.get("timestamp") is not None and round_ms(e["timestamp"], MINUTE_MS) % DAY_MS == 0
        }
    if cfg.futures_index == "spot_ohlcv" and base in cfg.spots:
        ctx = ctx.spot()
        method, symbol = ctx.exchange.fetch_ohlcv, cfg.spots[base]
    else:
        method, symbol = ctx.exchange.fetch_index_ohlcv, perp
    candles, _ = daily_candles(ctx, batch, f"index 1d {symbol}", method, symbol, start_ms,
                                end_ms)
    return {ms_to_datetime(ts).date(): c[4] for ts, c in candles.items()}


def fetch_dated_futures(ctx: VenueContext, start_ms: int, end_ms: int) -> DatasetBatch:
    """Daily close of each listed dated future with its expiry and the spot index.

    Only contracts still listed can be found (venues drop expired ones from their market
    lists): a backfill far into the past sees fewer contracts, and says so.
    """
    batch = DatasetBatch(expected_by_day={})
    cfg = ctx.config
    days = [ms_to_datetime(start_ms).date() + timedelta(days=i)
            for i in range((end_ms - start_ms) // DAY_MS)]
    futures = _listed_futures(ctx)
    for base in cfg.perps:
        contracts = [m for m in futures if m["base"] == base]
        alive = {
            day: [m for m in contracts
                  if m["expiry"] > day_ms + DAY_MS and (m.get("created") or 0) <= day_ms]
            for day, day_ms in ((d, start_ms + i * DAY_MS) for i, d in enumerate(days))
        }
        for day, listed in alive.items():
            batch.expected_by_day[day] = batch.expected_by_day.get(day, 0) + len(listed)
        if not any(alive.values()):
            continue
        try:
            index = _index_closes(ctx, batch, base, start_ms, end_ms)
        except ccxt.BaseError as error:
            batch.failed_symbols[f"{base} index"] = error_text(error)
            index = {}
        for market in contracts:
            symbol = market["symbol"]
            if not any(market in listed for listed in alive.values()):
                continue
            try:
                candles, lost = daily_candles(ctx, batch, f"1d {symbol}",
                                               ctx.exchange.fetch_ohlcv, symbol, start_ms, end_ms)
            except ccxt.BaseError as error:
                batch.failed_symbols[symbol] = error_text(error)
                continue
            batch.counts["parser_discarded"] += lost
            for ts, c in sorted(candles.items()):
                day = ms_to_datetime(ts).date()
                if market not in alive.get(day, []):
                    batch.counts["out_of_window"] += 1
                    continue
                batch.rows.append({
                    **base_row(ctx, symbol, base),
                    "ts": ms_to_datetime(ts + DAY_MS),
                    "expiry_ts": ms_to_datetime(market["expiry"]),
                    "future_price": c[4],
                    "index_price": index.get(day),
                })
    return batch
