"""The seed-independent knobs of the simulated market.

A simulated day is a pure function of ``(day, seed, config)``. The seed picks one draw of the
noise; the config changes the *shape* of the market (how many instruments, where the regime
cycle is anchored), so two configs are two different markets, not two samples of one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

DEFAULT_UNWIND_START = date(2026, 11, 9)
"""Anchor of the regime cycle: the first day of an unwind. Chosen so the demo window
(2026-07-26 .. 2026-11-22) ends two weeks into an unwind and 2026-W47 reads as one."""

MIN_CYCLE_DAYS = 120
"""Unwind (21 d) + reset (to day 60) + compression (15 d) need room for a build-up."""


@dataclass(frozen=True, slots=True)
class SimulationConfig:
    """Knobs that change the simulated market's shape, never its randomness.

    Attributes:
        extra_symbols_per_venue: synthetic extra perpetuals per venue *and* base asset (for
            scale benchmarks). They reuse the venue's rules for that asset and are named after
            the real symbol with a ``-X<n>`` suffix, e.g. ``ETH/USDT:USDT-X1``; they appear in
            every per-perpetual dataset (funding, premium, perp candles, open interest,
            long/short) at a tenth of the main symbol's size.
        cycle_days: length of one regime cycle (reset, build-up, compression, unwind).
        unwind_start: a day on which an unwind begins; every ``cycle_days`` before and after
            it another one begins.
        binance_hourly_after_cap: Binance's rule that a symbol hitting its cap switches to 1 h
            settlements. Off by default because it changes the settlement count (24 instead of
            3 rows that day); when on, any Binance perp whose 8 h rate would hit its cap on a
            day settles hourly that whole day with ``interval_hours = 1``.
        etf_unreported_share: share of (day, ticker) ETF cells left unreported (null flow).
    """

    extra_symbols_per_venue: int = 0
    cycle_days: int = 240
    unwind_start: date = DEFAULT_UNWIND_START
    binance_hourly_after_cap: bool = False
    etf_unreported_share: float = 0.02

    def __post_init__(self) -> None:
        if self.extra_symbols_per_venue < 0:
            raise ValueError("extra_symbols_per_venue must be >= 0")
        if self.cycle_days < MIN_CYCLE_DAYS:
            raise ValueError(f"cycle_days must be >= {MIN_CYCLE_DAYS}")
        if not 0.0 <= self.etf_unreported_share < 1.0:
            raise ValueError("etf_unreported_share must be in [0, 1)")
