"""Venue funding rules, read from the dbt seed so Python and SQL share one table of facts.

``dbt_project/seeds/venue_funding_rules.csv`` is the single place where each venue's symbols,
default funding interval, interest baseline and cap are written down (METRICS.md, venue facts).
The simulated market, the coverage checks and dbt all read it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

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
