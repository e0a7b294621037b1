"""Index prices: daily closes and the hourly path between them, then spot and perp candles.

A day's close is the deterministic trend (regime.log_price_trend) times non-cumulative noise
drawn from that day's own stream, so the close of any date needs nothing but that date. A
day's open is the previous day's close, recomputed the same way, so candles chain exactly
(open of D == close of D-1) without any state. Between them the hourly index follows a
Brownian bridge, which makes intraday highs and lows consistent with open and close.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from orchestration.sources.simulated import regime
from orchestration.sources.simulated.config import SimulationConfig
from orchestration.sources.simulated.streams import stream

HOURS = 24
WEEKEND_VOLUME = 0.7
"""Crypto trades at weekends, but thinner."""


def daily_close(day: date, seed: int, config: SimulationConfig, asset: str) -> float:
    """Index close of ``day`` (at 24:00 UTC): trend at the day's end times daily noise.

    ETH and BTC share a common shock (correlation 0.64), each scaled by its own volatility and
    by the unwind's stress.
    """
    t_end = regime.days_since_anchor(day, config) + 1.0
    prof = regime.profile(asset)
    common, eth, btc = stream(seed, day, "close").standard_normal(3)
    own = btc if asset == "BTC" else eth
    shock = 0.8 * common + 0.6 * own
    sd = prof.close_sd * (1.0 + 1.5 * float(regime.stress(regime.cycle_day(t_end, config))))
    return float(np.exp(regime.log_price_trend(t_end, prof, config) + sd * shock))


def index_path(day: date, seed: int, config: SimulationConfig, asset: str) -> np.ndarray:
    """The index at 00:00, 01:00, ..., 24:00 UTC of ``day`` (25 points, first = open)."""
    open_ = daily_close(day - timedelta(days=1), seed, config, asset)
    close = daily_close(day, seed, config, asset)
    prof = regime.profile(asset)
    t_mid = regime.days_since_anchor(day, config) + 0.5
    sd = prof.intraday_sd * (1.0 + 2.0 * float(regime.stress(regime.cycle_day(t_mid, config))))
    steps = stream(seed, day, f"intraday/{asset}").standard_normal(HOURS) * sd / np.sqrt(HOURS)
    walk = np.concatenate(([0.0], np.cumsum(steps)))
    frac = np.arange(HOURS + 1) / HOURS
    bridge = walk - frac * walk[-1]
    log_path = np.log(open_) + frac * (np.log(close) - np.log(open_)) + bridge
    path = np.exp(log_path)
    path[0], path[-1] = open_, close  # exact chaining across days
    return path


def candle(path: np.ndarray, rng: np.random.Generator, wick_sd: float) -> tuple[float, ...]:
    """(open, high, low, close) of a path, with wicks beyond the hourly points (trades
    between the hourly marks reach further than the marks themselves)."""
    wick_up, wick_down = np.abs(rng.standard_normal(2)) * wick_sd
    high = float(path.max()) * (1.0 + wick_up)
    low = float(path.min()) * (1.0 - wick_down)
    return float(path[0]), high, low, float(path[-1])


def volume(
    day: date,
    config: SimulationConfig,
    base_volume: float,
    rng: np.random.Generator,
    *,
    perp: bool,
) -> float:
    """Daily traded base volume: venue size x regime factor x weekday factor x noise."""
    t_mid = regime.days_since_anchor(day, config) + 0.5
    weekday = WEEKEND_VOLUME if day.weekday() >= 5 else 1.0
    factor = float(regime.volume_factor(t_mid, config, perp=perp))
    return base_volume * factor * weekday * float(np.exp(0.2 * rng.standard_normal() - 0.02))
