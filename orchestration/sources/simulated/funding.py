"""Funding settlements: each venue's published formula applied to the simulated premium.

The premium ``P`` of a settlement is the mean hourly premium (mark / index - 1) over the
interval that ends at the settlement, exactly what ``premium_index`` lands, so funding and
premium agree. The formulas (METRICS.md, venue facts; the interest ``I`` and the cap come from
the seed):

- interest_clamp (Binance, Hyperliquid): ``F = P + clamp(I - P, -0.05 %, +0.05 %)``; when the
  premium is small this is exactly ``I`` (0.0001 per 8 h), which is why funding "sits" there.
- interest_band (Bybit): ``F = I`` when ``|I - P| <= 0.05 %``, else as Binance.
- premium_clamp (OKX): ``F = P`` (no interest baseline).
- dead_band (Deribit): ``F = max(0.025 %, P) + min(-0.025 %, P)``: zero inside the band.

Every rule yields an 8 h rate; a venue settling every N hours pays ``F * N / 8`` (Hyperliquid:
F/8 each hour), clamped at the seed's cap per settlement. Rates are rounded to 8 decimals
(10 for sub-8 h settlements), as the venues publish them.
"""

from __future__ import annotations

import numpy as np

from orchestration.sources.simulated.context import DayContext
from orchestration.sources.simulated.instruments import (
    DEAD_BAND,
    INTEREST_BAND,
    INTEREST_CLAMP,
    PREMIUM_CLAMP,
    Perp,
)

CLAMP = 0.0005
"""The +-0.05 % clamp around the interest rate (Binance, Bybit, Hyperliquid)."""
DEAD_BAND_HALF_WIDTH = 0.00025
"""Deribit's +-0.025 % dead band."""
HOURLY_AFTER_CAP_VENUE = "binance"


def rate_8h(rule: str, premium: np.ndarray, interest_8h: float) -> np.ndarray:
    """The 8 h funding rate of each premium value under a venue's rule (before the cap)."""
    if rule in (INTEREST_CLAMP, INTEREST_BAND):
        gap = interest_8h - premium
        # Written as the Bybit form: identical to P + clamp(I - P) but exactly I in the band.
        return np.where(np.abs(gap) <= CLAMP, interest_8h, premium + np.clip(gap, -CLAMP, CLAMP))
    if rule == PREMIUM_CLAMP:
        return premium.copy()
    if rule == DEAD_BAND:
        return np.maximum(DEAD_BAND_HALF_WIDTH, premium) + np.minimum(
            -DEAD_BAND_HALF_WIDTH, premium
        )
    raise ValueError(f"unknown funding rule {rule!r}")


def settle(perp: Perp, hourly: np.ndarray, interval: int) -> tuple[np.ndarray, np.ndarray]:
    """(settlement hours of the day, rates) for one perpetual.

    ``hourly`` holds 48 hourly premia: the previous day's then this day's, so the 00:00
    settlement can average the previous day's last ``interval`` hours.
    """
    hours = np.arange(0, 24, interval)
    cumulative = np.concatenate(([0.0], np.cumsum(hourly)))
    window_mean = (cumulative[24 + hours] - cumulative[24 + hours - interval]) / interval
    full = rate_8h(perp.profile.funding_rule, window_mean, perp.baseline_rate_8h)
    rates = np.clip(full * interval / 8.0, -perp.cap_rate, perp.cap_rate)
    return hours, np.round(rates, 8 if interval >= 8 else 10)


def _hits_cap(perp: Perp, hourly: np.ndarray) -> bool:
    _, rates = settle(perp, hourly, round(perp.interval_hours))
    return bool(np.any(np.abs(rates) >= perp.cap_rate - 1e-12))


def funding_columns(ctx: DayContext) -> dict[str, object]:
    """Rows of ``funding_rates`` for the day: every settlement in [00:00, 24:00) UTC."""
    venue, symbol, asset, ts, rate, interval_col = [], [], [], [], [], []
    start = np.datetime64(ctx.start.replace(tzinfo=None), "us")
    for i, perp in enumerate(ctx.perps):
        hourly = np.concatenate((ctx.premium_prev[i], ctx.premium[i]))
        interval = round(perp.interval_hours)
        if (
            ctx.config.binance_hourly_after_cap
            and perp.venue == HOURLY_AFTER_CAP_VENUE
            and interval > 1
            and _hits_cap(perp, hourly)
        ):
            interval = 1
        hours, rates = settle(perp, hourly, interval)
        n = len(hours)
        venue += [perp.venue] * n
        symbol += [perp.symbol] * n
        asset += [perp.base_asset] * n
        ts.append(start + hours.astype("timedelta64[h]"))
        rate.append(rates)
        interval_col += [float(interval) if perp.profile.reports_interval else None] * n
    return {
        "venue": venue,
        "symbol": symbol,
        "base_asset": asset,
        "funding_ts": np.concatenate(ts) if ts else np.array([], "datetime64[us]"),
        "rate": np.concatenate(rate) if rate else np.array([], float),
        "interval_hours": interval_col,
    }
