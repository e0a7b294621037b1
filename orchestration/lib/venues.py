"""Venue funding rules, read from the dbt seed so Python and SQL share one table of facts.

``dbt_project/seeds/venue_funding_rules.csv`` is the single place where each venue's symbols,
default funding interval, interest baseline and cap are written down (METRICS.md, venue facts).
The simulated market, the coverage checks and dbt all read it.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType

from orchestration.lib.settings import DBT_PROJECT_DIR

VENUE_RULES_CSV = DBT_PROJECT_DIR / "seeds" / "venue_funding_rules.csv"


@dataclass(frozen=True, slots=True)
class VenueRule:
    """Funding facts of one perpetual on one venue.

    Attributes:
        venue: ccxt exchange id family (binance, bybit, okx, deribit, hyperliquid).
        symbol: ccxt unified symbol of the perpetual.
        base_asset: ETH or BTC.
        contract_type: linear or inverse.
        default_interval_hours: settlement interval when the venue does not say otherwise.
        baseline_rate_8h: the interest component per 8 h that funding settles at when the
            premium is small (0 where the venue has none).
        cap_rate: the absolute cap per settlement.
    """

    venue: str
    symbol: str
    base_asset: str
    contract_type: str
    default_interval_hours: float
    baseline_rate_8h: float
    cap_rate: float

    @property
    def settlements_per_day(self) -> int:
        return round(24 / self.default_interval_hours)

    def baseline_rate(self, interval_hours: float) -> float:
        """The baseline scaled to a settlement interval (0.01 %/8 h -> 0.00125 %/1 h)."""
        return self.baseline_rate_8h * interval_hours / 8


@cache
def venue_rules() -> tuple[VenueRule, ...]:
    with VENUE_RULES_CSV.open(newline="") as handle:
        return tuple(
            VenueRule(
                venue=row["venue"],
                symbol=row["symbol"],
                base_asset=row["base_asset"],
                contract_type=row["contract_type"],
                default_interval_hours=float(row["default_interval_hours"]),
                baseline_rate_8h=float(row["baseline_rate_8h"]),
                cap_rate=float(row["cap_rate"]),
            )
            for row in csv.DictReader(handle)
        )


def venues() -> tuple[str, ...]:
    """Configured venues, in seed order, without repeats."""
    return tuple(dict.fromkeys(rule.venue for rule in venue_rules()))


@dataclass(frozen=True, slots=True)
class VenueFacts:
    """What the seed does not hold but every layer needs to know about a venue: which ccxt
    class speaks for it, its spot pairs and the quotes of the dated futures collected there.

    Kept here (not in ``sources/live/config.py``) so the universe (``lib/universe.py``) and the
    coverage plan (``landing/coverage.py``) answer "what should land" without importing the
    live source; the live config adds fetch details (pages, windows, rate limits) on top.

    Attributes:
        venue: venue name as in the seed.
        exchange_id: ccxt exchange class id (``binanceusdm``, ``bybit``, ...).
        spots: base asset -> ccxt unified spot symbol (empty: no spot candles on this venue).
        futures_quotes: quote currencies of the dated futures to collect (empty = none).
    """

    venue: str
    exchange_id: str
    spots: Mapping[str, str] = field(default_factory=dict)
    futures_quotes: tuple[str, ...] = ()


_USDT_SPOTS = MappingProxyType({"ETH": "ETH/USDT", "BTC": "BTC/USDT"})
_FACTS: dict[str, VenueFacts] = {
    "binance": VenueFacts("binance", "binanceusdm", _USDT_SPOTS, ("USDT",)),
    "bybit": VenueFacts("bybit", "bybit", _USDT_SPOTS),
    "okx": VenueFacts("okx", "okx", _USDT_SPOTS, ("USD",)),
    "deribit": VenueFacts("deribit", "deribit", futures_quotes=("USD",)),
    "hyperliquid": VenueFacts("hyperliquid", "hyperliquid"),
}


def venue_facts(venue: str) -> VenueFacts:
    """The facts of a seed venue; a seed venue without an entry is its own ccxt id with no spot
    pairs and no dated futures (the live config's default too)."""
    return _FACTS.get(venue, VenueFacts(venue, venue))


def spot_pairs(venue: str) -> tuple[str, ...]:
    """The venue's spot pairs (ccxt unified symbols), in the table's order."""
    return tuple(venue_facts(venue).spots.values())
