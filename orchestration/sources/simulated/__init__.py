"""The simulated market: the pipeline's offline, deterministic default source.

``simulate_day(day, seed, config)`` returns every raw dataset of one UTC day, conformed to
``orchestration.landing.raw_schemas``, as a pure function of its arguments. The market follows the
thesis on a repeating cycle (reset, crowded build-up, carry compression, unwind) anchored so
that the unwind begins on 2026-11-09; see docs/simulated-market.md.

Modules: ``config`` (knobs), ``streams`` (keyed randomness), ``calendar`` (expiries, US
business days), ``regime`` (the story as a function of time), ``instruments`` (what trades
where), ``prices`` and ``candles`` (index path, OHLCV), ``context`` (one day's shared state),
``funding`` (venue formulas), ``derivatives`` (premium, OI, long/short, dated futures),
``reference`` (CFTC, ETF flows, rates), ``liquidations`` (forced orders and collector
coverage), ``simulate`` (the assembly).
"""

from orchestration.sources.simulated.config import SimulationConfig
from orchestration.sources.simulated.regime import PHASES, phase, phase_windows
from orchestration.sources.simulated.simulate import DEFAULT_SEED, SOURCE_NAME, simulate_day

__all__ = [
    "DEFAULT_SEED",
    "PHASES",
    "SOURCE_NAME",
    "SimulationConfig",
    "phase",
    "phase_windows",
    "simulate_day",
]
