"""The story: where the market stands in its crowding cycle, as a closed-form function of time.

The thesis (docs/simulated-market.md) plays out on a repeating cycle of ``cycle_days``
(default 240) anchored on an unwind start (default 2026-11-09). With ``s`` the day of the cycle:

- ``unwind``       s in [0, 21): funding negative, perp at a discount, price and OI fall.
- ``reset``        s in [21, 60): funding drifts back to baseline, OI and price base out.
- ``build_up``     s in [60, C-15): carry gets crowded: premium, OI, long/short ratio, basis
                   and CME leveraged-fund shorts rise.
- ``compression``  s in [C-15, C): neutral capital keeps arriving and compresses funding and
                   basis towards baseline while OI is still at its peak; the condition for the
                   unwind.

Every function takes ``t``, fractional days since the anchor's 00:00 UTC, so hourly and daily
values come from the same curves and any date of any year has a value without knowing the
days before it. Nothing here is random: noise is added by the dataset modules, per day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from orchestration.sources.simulated.config import SimulationConfig

UNWIND_DAYS = 21
"""Days from the unwind's start to the price and OI trough."""
STRESS_DAYS = 28
"""Days over which the funding/premium stress decays back to zero."""
SPIKE_DAYS = 0.75
"""e-folding time of the liquidation spike at the unwind's onset."""
RESET_END = 60
"""Cycle day on which the build-up begins."""
COMPRESSION_DAYS = 15
"""Last days of the cycle, in which funding and basis compress."""
PHASES = ("unwind", "reset", "build_up", "compression")

TWO_PI = 2.0 * np.pi


@dataclass(frozen=True, slots=True)
class AssetProfile:
    """Magnitudes of one base asset. ETH is the more levered of the two: bigger premium, bigger
    crash, bigger OI swing.

    Attributes:
        peak_price: price at the anchor cycle's peak (the day before the unwind), USD.
        price_swing: log-price fall from peak to trough (0.33 -> -28 %).
        secular: amplitude of a 4-year log-price cycle, so years differ.
        wiggles: (log amplitude, period days, phase) of deterministic medium-term swings.
        close_sd: sd of the non-cumulative daily log-price noise.
        intraday_sd: sd of the intraday Brownian bridge over a whole day.
        premium_compressed, premium_calm, premium_peak: hourly perp premium (mark/index - 1)
            at the end of compression, in the reset, and at the crowded peak.
        premium_crash: depth of the perp discount at the unwind's onset (decays over
            STRESS_DAYS); premium_spike: the extra, short liquidation spike on its first day.
        premium_sd: hourly premium noise in calm markets (scaled up under stress).
        oi_swing: log-OI (in contracts) fall from peak to trough.
        basis_calm, basis_crowded: annualised dated-futures basis in the reset and its extra at
            the crowded peak; basis_crash: backwardation at the onset of the unwind.
        ls_calm, ls_crowded: long/short account ratio in the reset and its extra at the peak.
    """

    asset: str
    peak_price: float
    price_swing: float
    secular: float
    wiggles: tuple[tuple[float, float, float], ...]
    close_sd: float
    intraday_sd: float
    premium_compressed: float
    premium_calm: float
    premium_peak: float
    premium_crash: float
    premium_spike: float
    premium_sd: float
    oi_swing: float
    basis_calm: float
    basis_crowded: float
    basis_crash: float
    ls_calm: float
    ls_crowded: float


PROFILES: dict[str, AssetProfile] = {
    "ETH": AssetProfile(
        asset="ETH",
        peak_price=4000.0,
        price_swing=0.33,
        secular=0.08,
        wiggles=((0.03, 29.5, 1.0), (0.015, 11.3, 2.0)),
        close_sd=0.018,
        intraday_sd=0.025,
        premium_compressed=0.00010,
        premium_calm=0.00020,
        premium_peak=0.00085,
        premium_crash=0.0016,
        premium_spike=0.004,
        premium_sd=0.00008,
        oi_swing=0.30,
        basis_calm=0.05,
        basis_crowded=0.085,
        basis_crash=0.05,
        ls_calm=1.25,
        ls_crowded=1.30,
    ),
    "BTC": AssetProfile(
        asset="BTC",
        peak_price=104_000.0,
        price_swing=0.25,
        secular=0.10,
        wiggles=((0.021, 29.5, 1.0), (0.0105, 11.3, 2.0)),
        close_sd=0.013,
        intraday_sd=0.018,
        premium_compressed=0.00008,
        premium_calm=0.00015,
        premium_peak=0.00065,
        premium_crash=0.0013,
        premium_spike=0.0018,
        premium_sd=0.00006,
        oi_swing=0.25,
        basis_calm=0.045,
        basis_crowded=0.075,
        basis_crash=0.04,
        ls_calm=1.15,
        ls_crowded=1.00,
    ),
}
ASSETS: tuple[str, ...] = tuple(PROFILES)


def profile(asset: str) -> AssetProfile:
    """The asset's magnitudes; an unknown asset gets ETH's shape (documented fallback)."""
    return PROFILES.get(asset, PROFILES["ETH"])


# --- time ------------------------------------------------------------------------------------


def days_since_anchor(day: date, config: SimulationConfig) -> int:
    return day.toordinal() - config.unwind_start.toordinal()


def cycle_day(t: np.ndarray | float, config: SimulationConfig) -> np.ndarray:
    """Fractional day of the cycle, in [0, cycle_days)."""
    return np.mod(np.asarray(t, dtype=np.float64), config.cycle_days)


def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def amplitude(t: np.ndarray | float) -> np.ndarray:
    """How violent this cycle is: 1 at the anchor, 0.8..1.2 over ~3 years, so a long backfill
    holds mild and severe cycles rather than copies."""
    return 1.0 + 0.2 * np.sin(TWO_PI * np.asarray(t, dtype=np.float64) / 1130.0)


# --- cycle shapes (functions of the cycle day s) ---------------------------------------------


def crash_progress(s: np.ndarray) -> np.ndarray:
    """0 -> 1 over the unwind, a little front-loaded (liquidations come first)."""
    return 1.0 - (1.0 - np.clip(s / UNWIND_DAYS, 0.0, 1.0)) ** 1.3


def leverage(s: np.ndarray, config: SimulationConfig) -> np.ndarray:
    """Crowding of the long side, 0 (reset) .. 1 (peak, the eve of the unwind)."""
    build = _smoothstep((s - RESET_END) / (config.cycle_days - RESET_END))
    return np.where(s < UNWIND_DAYS, 1.0 - crash_progress(s), np.where(s < RESET_END, 0.0, build))


def price_shape(s: np.ndarray, config: SimulationConfig) -> np.ndarray:
    """Log-price shape in units of the swing: 0 at the peak, -1 at the unwind's trough, a
    small relief bounce in the reset, and a climb back to the peak through the build-up."""
    bounce = -1.0 + 0.15 * _smoothstep((s - UNWIND_DAYS) / (RESET_END - UNWIND_DAYS))
    climb = -0.85 + 0.85 * _smoothstep((s - RESET_END) / (config.cycle_days - RESET_END))
    return np.where(s < UNWIND_DAYS, -crash_progress(s), np.where(s < RESET_END, bounce, climb))


def stress(s: np.ndarray) -> np.ndarray:
    """Unwind stress 0..1: ramps up over the first 6 hours, then decays over STRESS_DAYS."""
    decay = np.clip(1.0 - s / STRESS_DAYS, 0.0, 1.0) ** 1.2
    return _onset(s) * decay


def _onset(s: np.ndarray) -> np.ndarray:
    return _smoothstep(s / 0.25)


def liquidation_spike(s: np.ndarray) -> np.ndarray:
    """0..1: the forced-selling burst of the unwind's first day."""
    return _onset(s) * np.exp(-np.clip(s, 0.0, None) / SPIKE_DAYS)


def compression(s: np.ndarray, config: SimulationConfig) -> np.ndarray:
    """0 -> 1 over the last COMPRESSION_DAYS of the cycle."""
    start = config.cycle_days - COMPRESSION_DAYS
    return _smoothstep((s - start) / COMPRESSION_DAYS)


def phase(day: date, config: SimulationConfig | None = None) -> str:
    """The phase name of a day (see the module docstring)."""
    config = config or SimulationConfig()
    s = float(cycle_day(days_since_anchor(day, config), config))
    if s < UNWIND_DAYS:
        return "unwind"
    if s < RESET_END:
        return "reset"
    if s < config.cycle_days - COMPRESSION_DAYS:
        return "build_up"
    return "compression"


def phase_windows(
    first: date, last: date, config: SimulationConfig | None = None
) -> list[tuple[str, date, date]]:
    """Consecutive (phase, first day, last day) runs between two dates, for docs and reports."""
    config = config or SimulationConfig()
    runs: list[tuple[str, date, date]] = []
    day = first
    while day <= last:
        name = phase(day, config)
        if runs and runs[-1][0] == name:
            runs[-1] = (name, runs[-1][1], day)
        else:
            runs.append((name, day, day))
        day += timedelta(days=1)
    return runs


# --- market levels (functions of t) ----------------------------------------------------------


def log_price_trend(t: np.ndarray, p: AssetProfile, config: SimulationConfig) -> np.ndarray:
    """Deterministic log price at time t: peak level, 4-year drift, cycle shape, wiggles."""
    t = np.asarray(t, dtype=np.float64)
    s = cycle_day(t, config)
    out = np.log(p.peak_price) + p.secular * np.sin(TWO_PI * t / 1461.0)
    out = out + p.price_swing * amplitude(t) * price_shape(s, config)
    for amp, period, shift in p.wiggles:
        out = out + amp * np.sin(TWO_PI * t / period + shift)
    return out


def premium_level(t: np.ndarray, p: AssetProfile, config: SimulationConfig) -> np.ndarray:
    """Expected perp premium (mark / index - 1) at time t, before venue factor and noise.

    Reset: from compressed back to calm. Build-up: calm + (peak - calm) * leverage^2, so the
    premium (and funding above baseline) arrives late in the build-up. Compression: back down
    to the compressed level. Unwind: a deep discount that decays over STRESS_DAYS.
    """
    t = np.asarray(t, dtype=np.float64)
    s = cycle_day(t, config)
    a = amplitude(t)
    peak = p.premium_calm + (p.premium_peak - p.premium_calm) * a
    reset = p.premium_compressed + (p.premium_calm - p.premium_compressed) * _smoothstep(
        (s - STRESS_DAYS) / (RESET_END - STRESS_DAYS)
    )
    build = p.premium_calm + (peak - p.premium_calm) * leverage(s, config) ** 2
    squeeze = compression(s, config)
    build = build * (1.0 - squeeze) + p.premium_compressed * squeeze
    level = np.where(s < RESET_END, reset, build)
    return level - a * (p.premium_crash * stress(s) + p.premium_spike * liquidation_spike(s))


def premium_sd(t: np.ndarray, p: AssetProfile, config: SimulationConfig) -> np.ndarray:
    """Hourly premium noise: calm level, six times larger at the height of the unwind."""
    return p.premium_sd * (1.0 + 5.0 * stress(cycle_day(t, config)))


def oi_factor(t: np.ndarray, p: AssetProfile, config: SimulationConfig) -> np.ndarray:
    """Open interest in contracts relative to the anchor cycle's peak (1.0)."""
    t = np.asarray(t, dtype=np.float64)
    s = cycle_day(t, config)
    return np.exp(p.oi_swing * amplitude(t) * (leverage(s, config) - 1.0))


def volume_factor(t: np.ndarray, config: SimulationConfig, *, perp: bool) -> np.ndarray:
    """Traded volume relative to a calm day: rises with crowding, spikes in the unwind (perp
    volume more than spot volume)."""
    s = cycle_day(t, config)
    lev, st = leverage(s, config), stress(s)
    return (1.0 + (0.6 if perp else 0.2) * lev) * (1.0 + (2.5 if perp else 1.5) * st)


def basis_apr(t: np.ndarray, p: AssetProfile, config: SimulationConfig) -> np.ndarray:
    """Annualised dated-futures basis: calm contango, crowded 8-15 %, halved by compression,
    backwardation at the unwind's onset, ~0-3 % two weeks in."""
    t = np.asarray(t, dtype=np.float64)
    s = cycle_day(t, config)
    lev, st = leverage(s, config), stress(s)
    level = p.basis_calm + p.basis_crowded * amplitude(t) * lev**2 * (
        1.0 - 0.5 * compression(s, config)
    )
    return level * (1.0 - st) - p.basis_crash * st


def long_short_level(t: np.ndarray, p: AssetProfile, config: SimulationConfig) -> np.ndarray:
    """Long/short account ratio: retail longs pile in through the build-up, get flushed out."""
    s = cycle_day(t, config)
    return p.ls_calm + p.ls_crowded * leverage(s, config) ** 1.5


def flow_level(t: np.ndarray, config: SimulationConfig) -> tuple[np.ndarray, np.ndarray]:
    """(inflow weight, outflow weight) of ETF flows: inflows grow with crowding and stop in
    the unwind, outflows follow the unwind's stress."""
    s = cycle_day(t, config)
    lev, st = leverage(s, config), stress(s)
    return (0.2 + 0.8 * lev) * (1.0 - st), st
