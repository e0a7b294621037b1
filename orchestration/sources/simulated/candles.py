"""Daily OHLCV candles: spot on the venues that list spot, perp on every venue.

Spot follows the venue's index (index path x a constant venue offset). The perp follows the
index times its premium; each hourly point uses the premium of the hour just completed, so the
perp close of D (index at 24:00 x premium of 23:00-24:00) is exactly the perp open of D+1.
Volumes: perp several times spot, both rising with crowding and spiking in the unwind.
"""

from __future__ import annotations

import numpy as np

from orchestration.sources.simulated import prices, regime
from orchestration.sources.simulated.context import DayContext
from orchestration.sources.simulated.instruments import spots

WICK_SHARE = 0.15
"""Wicks beyond the hourly marks, as a share of the day's intraday volatility."""


def ohlcv_columns(ctx: DayContext) -> dict[str, object]:
    rows: list[tuple[str, str, str, str, float, float, float, float, float]] = []
    for spot in spots():
        if spot.base_asset not in ctx.index:
            continue
        path = ctx.index[spot.base_asset] * (1.0 + spot.profile.price_offset)
        rng = ctx.rng(f"candle/{spot.venue}/{spot.symbol}")
        wick = regime.profile(spot.base_asset).intraday_sd * WICK_SHARE
        ohlc = prices.candle(path, rng, wick)
        vol = prices.volume(
            ctx.day, ctx.config, spot.profile.spot_volume.get(spot.base_asset, 0.0), rng, perp=False
        )
        rows.append((spot.venue, spot.symbol, spot.base_asset, "spot", *ohlc, vol))
    for i, perp in enumerate(ctx.perps):
        index = ctx.index[perp.base_asset] * (1.0 + perp.profile.price_offset)
        premium = np.concatenate((ctx.premium_prev[i, -1:], ctx.premium[i]))
        path = index * (1.0 + premium)
        rng = ctx.rng(f"candle/{perp.label}")
        wick = regime.profile(perp.base_asset).intraday_sd * WICK_SHARE
        ohlc = prices.candle(path, rng, wick)
        base_volume = perp.profile.perp_volume.get(perp.base_asset, 0.0) * perp.scale
        vol = prices.volume(ctx.day, ctx.config, base_volume, rng, perp=True)
        rows.append((perp.venue, perp.symbol, perp.base_asset, "perp", *ohlc, vol))
    names = ("venue", "symbol", "base_asset", "market_type", "open", "high", "low", "close")
    columns: dict[str, object] = {name: [r[k] for r in rows] for k, name in enumerate(names)}
    columns["volume_base"] = [round(r[8], 3) for r in rows]
    columns["ts"] = [ctx.start] * len(rows)
    return columns
