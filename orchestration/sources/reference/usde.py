"""USDe supply (Ethena's synthetic dollar) as an optional component of the arbitrage share.

USDe is backed by spot crypto hedged with short perpetuals, so ``supply x share hedged with
ETH shorts`` is delta-neutral open interest. That share is not published as a clean series,
so it is a configured number; with none configured the component is off and says so.

Source: DefiLlama's stablecoin API, ``https://stablecoins.llama.fi/stablecoincharts/all?
stablecoin=146`` (146 = USDe), a JSON list of ``{"date": "<unix seconds>", "totalCirculating":
{"peggedUSD": ...}, "totalCirculatingUSD": {"peggedUSD": ...}}``, one point per UTC day.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

USDE_DEFILLAMA_ID = 146
DEFILLAMA_CHART_URL = "https://stablecoins.llama.fi/stablecoincharts/all?stablecoin={id}"


@dataclass(frozen=True, slots=True)
class SupplyPoint:
    day: date
    supply_usd: float


@dataclass(frozen=True, slots=True)
class HedgeComponent:
    """The synthetic-dollar component of the arbitrage estimate for one day.

    ``notional_usd`` is None when the component is off (no hedge fraction configured).
    """

    day: date
    supply_usd: float
    hedge_fraction: float | None
    notional_usd: float | None
    label: str


def parse_defillama_chart(payload: bytes | str) -> list[SupplyPoint]:
    """Daily USDe supply in USD (``totalCirculatingUSD``, else ``totalCirculating``)."""
    points = []
    for item in json.loads(payload):
        amounts = item.get("totalCirculatingUSD") or item.get("totalCirculating") or {}
        value = amounts.get("peggedUSD")
        if value is None or item.get("date") is None:
            continue
        day = datetime.fromtimestamp(int(item["date"]), UTC).date()
        points.append(SupplyPoint(day, float(value)))
    return sorted(points, key=lambda p: p.day)


def hedge_component(point: SupplyPoint, hedge_fraction: float | None = None) -> HedgeComponent:
    """``supply x hedge_fraction`` when a fraction is configured; off (None) otherwise."""
    if hedge_fraction is None:
        return HedgeComponent(point.day, point.supply_usd, None, None, "usde: off (not configured)")
    if not 0.0 <= hedge_fraction <= 1.0:
        raise ValueError(f"USDe hedge fraction must be within [0, 1], got {hedge_fraction}")
    return HedgeComponent(
        point.day,
        point.supply_usd,
        hedge_fraction,
        point.supply_usd * hedge_fraction,
        f"usde: supply x {hedge_fraction:.0%} hedged with ETH shorts (configured)",
    )
