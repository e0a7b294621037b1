"""Everything one simulated day's datasets share, computed once per call.

The datasets must agree with each other (funding from the premium, mark from the index, OI
valued at the close), so they are all derived from one :class:`DayContext`: the hourly index
path per asset and the hourly premium per perpetual, for the day and for the day before (the
00:00 settlement averages the previous day's last hours). The previous day is recomputed
from its own streams, never remembered, so the day stays a pure function of its inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np

from orchestration.sources.simulated import prices, regime
from orchestration.sources.simulated.config import SimulationConfig
from orchestration.sources.simulated.instruments import Perp, perps
from orchestration.sources.simulated.streams import stream

PREMIUM_AR = 0.7
"""Hour-to-hour persistence of premium noise (premia cluster, they are not white noise)."""


@dataclass(frozen=True, slots=True)
class DayContext:
    """Shared state of one simulated day.

    Attributes:
        day, seed, config: the inputs.
        t0: days since the regime anchor at 00:00 UTC of ``day``.
        start: 00:00 UTC of ``day``; end: 00:00 UTC of ``day + 1`` (end-of-day snapshots).
        perps: the simulated perpetuals, in a stable order.
        index: asset -> index at 00:00 .. 24:00 (25 points).
        premium: (len(perps), 24) hourly premium (mark / index - 1) of ``day``.
        premium_prev: the same for ``day - 1``.
    """

    day: date
    seed: int
    config: SimulationConfig
    t0: float
    start: datetime
    end: datetime
    perps: tuple[Perp, ...]
    index: dict[str, np.ndarray]
    premium: np.ndarray
    premium_prev: np.ndarray

    @property
    def assets(self) -> tuple[str, ...]:
        return tuple(self.index)

    def close(self, asset: str) -> float:
        return float(self.index[asset][-1])

    def rng(self, label: str) -> np.random.Generator:
        return stream(self.seed, self.day, label)


def hourly_premium(
    day: date, seed: int, config: SimulationConfig, instruments: tuple[Perp, ...]
) -> np.ndarray:
    """(n, 24) premium of each perpetual on ``day``: the regime's level x the venue's factor,
    a daily venue offset and AR(1) hourly noise, all scaled up under stress."""
    t = regime.days_since_anchor(day, config) + (np.arange(24) + 0.5) / 24.0
    by_asset: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    level = np.empty((len(instruments), 24))
    sd = np.empty((len(instruments), 24))
    z = np.empty((len(instruments), 25))
    for i, perp in enumerate(instruments):
        if perp.base_asset not in by_asset:
            prof = regime.profile(perp.base_asset)
            by_asset[perp.base_asset] = (
                regime.premium_level(t, prof, config),
                regime.premium_sd(t, prof, config),
            )
        asset_level, asset_sd = by_asset[perp.base_asset]
        level[i] = asset_level * perp.profile.premium_factor
        sd[i] = asset_sd
        z[i] = stream(seed, day, f"premium/{perp.label}").standard_normal(25)
    noise = np.empty_like(level)
    noise[:, 0] = z[:, 1]
    innovation = np.sqrt(1.0 - PREMIUM_AR**2)
    for h in range(1, 24):
        noise[:, h] = PREMIUM_AR * noise[:, h - 1] + innovation * z[:, h + 1]
    return level + sd * (0.4 * z[:, :1] + noise)


def build_context(day: date, seed: int, config: SimulationConfig) -> DayContext:
    instruments = perps(config)
    assets = tuple(dict.fromkeys(p.base_asset for p in instruments))
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return DayContext(
        day=day,
        seed=seed,
        config=config,
        t0=float(regime.days_since_anchor(day, config)),
        start=start,
        end=start + timedelta(days=1),
        perps=instruments,
        index={a: prices.index_path(day, seed, config, a) for a in assets},
        premium=hourly_premium(day, seed, config, instruments),
        premium_prev=hourly_premium(day - timedelta(days=1), seed, config, instruments),
    )
