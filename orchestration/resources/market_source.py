"""Where raw data comes from, as a Dagster resource.

The shape follows Dagster's ``hn_resource`` example: an abstract resource with one method the
assets call, and one implementation per backend. The offline default is the deterministic
simulated market; live backends implement the same ``fetch_day`` so switching is a
configuration change, not a code change.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from datetime import date, timedelta
from functools import lru_cache

import dagster as dg
import pyarrow as pa

from orchestration.sources.simulated import SOURCE_NAME, SimulationConfig, simulate_day


class MarketSourceResource(dg.ConfigurableResource, ABC):
    """Produces the raw tables of one UTC day for the requested datasets."""

    @abstractmethod
    def fetch_day(self, day: date, datasets: frozenset[str]) -> Mapping[str, pa.Table]:
        """One table per requested dataset name; zero rows when the day has none."""

    @property
    @abstractmethod
    def source_label(self) -> str:
        """Label shown in metadata and reports."""

    def days_per_window(self) -> int:
        """Days one :meth:`fetch_window` call should cover in a range run (1: day by day; a
        source whose API pages many days at once says more)."""
        return 1

    def fetch_window(
        self, start: date, end: date, datasets: frozenset[str], *, resume: bool = False
    ) -> Mapping[date, Mapping[str, pa.Table]]:
        """Days ``[start, end)``; ``resume`` lets a source serve what it already landed
        completely. Default: one :meth:`fetch_day` per day."""
        days = [start + timedelta(days=i) for i in range((end - start).days)]
        return {day: self.fetch_day(day, datasets) for day in days}

    def served_symbols(self) -> dict[str, tuple[str, ...]]:
        """venue -> symbols this source serves rows for (the funding coverage check expects
        these): the configured ones (``PERP_FRAGILITY_VENUES`` / ``PERP_FRAGILITY_SYMBOLS``)."""
        from orchestration.landing.coverage import configured_symbols_by_venue

        return configured_symbols_by_venue()

    def last_outcomes(self) -> list:
        """The per-(day, venue, dataset) outcome record of the last fetch (live sources;
        others keep none)."""
        return []


@lru_cache(maxsize=512)
def _simulated_day(
    day: date, seed: int, extra_symbols_per_venue: int, datasets: frozenset[str]
) -> dict[str, pa.Table]:
    # Each landing asset simulates only its own datasets: a range run lands all CFTC days,
    # then all ETF days, then all exchange days, so a cache of whole days would miss on every
    # day of a range longer than the cache (5 years of 100 perpetuals: four full
    # simulations instead of one); the reference datasets cost almost nothing alone.
    return simulate_day(
        day, seed, SimulationConfig(extra_symbols_per_venue=extra_symbols_per_venue), datasets
    )


class SimulatedMarketSource(MarketSourceResource):
    """The deterministic offline market (docs/simulated-market.md): a pure function of
    (day, seed), so any partition can be rebuilt alone with identical bytes."""

    seed: int = 7
    extra_symbols_per_venue: int = 0

    def fetch_day(self, day: date, datasets: frozenset[str]) -> Mapping[str, pa.Table]:
        return _simulated_day(day, self.seed, self.extra_symbols_per_venue, frozenset(datasets))

    @property
    def source_label(self) -> str:
        return SOURCE_NAME
