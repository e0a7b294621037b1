"""What trades where: perpetuals from the venue seed, plus per-venue size and behaviour.

The venues, symbols, intervals, baselines and caps come from the dbt seed via
:func:`orchestration.lib.venues.venue_rules` (the single table of venue facts). This module
adds only what the seed does not hold and a simulation needs: how big each venue is, its
contract sizes, which datasets ccxt offers for it, and which funding formula it uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from orchestration.lib.venues import venue_rules
from orchestration.sources.simulated.config import SimulationConfig

EXTRA_SYMBOL_SCALE = 0.1
"""Size of a synthetic extra perpetual relative to the venue's main one."""

# Funding formulas (see funding.py).
INTEREST_CLAMP = "interest_clamp"  # Binance / Hyperliquid: F = P + clamp(I - P, +-0.05 %)
INTEREST_BAND = "interest_band"  # Bybit: F = I when |I - P| <= 0.05 %, else as Binance
PREMIUM_CLAMP = "premium_clamp"  # OKX: F = clamp(P, +-cap), no interest baseline
DEAD_BAND = "dead_band"  # Deribit: max(0.025 %, P) + min(-0.025 %, P)


@dataclass(frozen=True, slots=True)
class VenueProfile:
    """Simulation facts of a venue that the seed does not carry.

    Attributes:
        funding_rule: which published formula turns the premium into a rate.
        reports_interval: whether ccxt's historical funding rows carry the interval (Deribit's
            and Hyperliquid's do not: dbt infers it from timestamp gaps).
        has_spot: lists ETH/USDT and BTC/USDT spot (candles are simulated).
        has_long_short: ccxt's ``fetchLongShortRatioHistory`` is available.
        has_dated: lists dated futures (calendar.listed_expiries names which).
        premium_factor: venue's premium relative to the market's (retail-heavy venues run hot).
        price_offset: constant relative offset of its index/spot price (different sources).
        perp_oi_peak_usd: perp OI notional at the anchor cycle's peak, per asset.
        perp_volume: calm-day perp volume in base units, per asset.
        spot_volume: calm-day spot volume in base units, per asset.
        contract_size: base units per contract (linear) or USD per contract (inverse).
        dated_oi_usd: OI notional of its front dated contract at the peak, per asset.
        ls_offset: venue's long/short ratio relative to the market's (different user bases).
        spot_quote: quote currency of its spot pairs.
        dated_quote, dated_settle: quote and settle currency of its dated futures ('' -> base).
    """

    funding_rule: str
    reports_interval: bool
    has_spot: bool
    has_long_short: bool
    has_dated: bool
    premium_factor: float
    price_offset: float
    perp_oi_peak_usd: dict[str, float]
    perp_volume: dict[str, float]
    spot_volume: dict[str, float] = field(default_factory=dict)
    contract_size: dict[str, float] = field(default_factory=lambda: {"ETH": 1.0, "BTC": 1.0})
    dated_oi_usd: dict[str, float] = field(default_factory=dict)
    ls_offset: float = 1.0
    spot_quote: str = "USDT"
    dated_quote: str = "USDT"
    dated_settle: str = "USDT"


VENUE_PROFILES: dict[str, VenueProfile] = {
    "binance": VenueProfile(
        funding_rule=INTEREST_CLAMP,
        reports_interval=True,
        has_spot=True,
        has_long_short=True,
        has_dated=True,
        premium_factor=1.0,
        price_offset=0.0,
        perp_oi_peak_usd={"ETH": 11.0e9, "BTC": 10.5e9},
        perp_volume={"ETH": 2.4e6, "BTC": 1.4e5},
        spot_volume={"ETH": 4.0e5, "BTC": 2.5e4},
        dated_oi_usd={"ETH": 2.5e8, "BTC": 6.0e8},
        ls_offset=1.10,
    ),
    "bybit": VenueProfile(
        funding_rule=INTEREST_BAND,
        reports_interval=True,
        has_spot=True,
        has_long_short=True,
        has_dated=False,
        premium_factor=1.05,
        price_offset=0.00005,
        perp_oi_peak_usd={"ETH": 5.5e9, "BTC": 6.5e9},
        perp_volume={"ETH": 1.2e6, "BTC": 7.0e4},
        spot_volume={"ETH": 1.2e5, "BTC": 8.0e3},
        ls_offset=1.0,
    ),
    "okx": VenueProfile(
        funding_rule=PREMIUM_CLAMP,
        reports_interval=True,
        has_spot=True,
        has_long_short=True,
        has_dated=True,
        premium_factor=0.6,
        price_offset=-0.00004,
        perp_oi_peak_usd={"ETH": 3.2e9, "BTC": 3.8e9},
        perp_volume={"ETH": 1.0e6, "BTC": 6.0e4},
        spot_volume={"ETH": 1.5e5, "BTC": 1.0e4},
        contract_size={"ETH": 0.1, "BTC": 0.01},
        dated_oi_usd={"ETH": 1.2e8, "BTC": 3.0e8},
        ls_offset=0.90,
    ),
    "deribit": VenueProfile(
        funding_rule=DEAD_BAND,
        reports_interval=False,
        has_spot=False,
        has_long_short=False,
        has_dated=True,
        premium_factor=1.1,
        price_offset=0.00002,
        perp_oi_peak_usd={"ETH": 5.0e8, "BTC": 1.1e9},
        perp_volume={"ETH": 8.0e4, "BTC": 8.0e3},
        contract_size={"ETH": 1.0, "BTC": 10.0},  # USD per contract (inverse)
        dated_oi_usd={"ETH": 1.5e8, "BTC": 5.0e8},
        dated_quote="USD",
        dated_settle="",
    ),
    "hyperliquid": VenueProfile(
        funding_rule=INTEREST_CLAMP,
        reports_interval=False,
        has_spot=False,
        has_long_short=False,
        has_dated=False,
        premium_factor=1.2,
        price_offset=0.00003,
        perp_oi_peak_usd={"ETH": 3.2e9, "BTC": 4.2e9},
        perp_volume={"ETH": 6.0e5, "BTC": 4.0e4},
    ),
}


def venue_profile(venue: str, baseline_rate_8h: float) -> VenueProfile:
    """The venue's profile; a venue added to the seed but unknown here trades as a small
    Binance-like venue (or OKX-like when it has no interest baseline), perps only."""
    if venue in VENUE_PROFILES:
        return VENUE_PROFILES[venue]
    return VenueProfile(
        funding_rule=INTEREST_CLAMP if baseline_rate_8h > 0 else PREMIUM_CLAMP,
        reports_interval=True,
        has_spot=False,
        has_long_short=False,
        has_dated=False,
        premium_factor=1.0,
        price_offset=0.0,
        perp_oi_peak_usd={"ETH": 1.0e9, "BTC": 1.0e9},
        perp_volume={"ETH": 2.0e5, "BTC": 1.0e4},
    )


@dataclass(frozen=True, slots=True)
class Perp:
    """One simulated perpetual: the seed's facts plus its venue profile and size."""

    venue: str
    symbol: str
    base_asset: str
    inverse: bool
    interval_hours: float
    baseline_rate_8h: float
    cap_rate: float
    scale: float
    profile: VenueProfile

    @property
    def label(self) -> str:
        """Stream label suffix: stable per venue and symbol."""
        return f"{self.venue}/{self.symbol}"


@dataclass(frozen=True, slots=True)
class Spot:
    venue: str
    symbol: str
    base_asset: str
    profile: VenueProfile


@cache
def perps(config: SimulationConfig) -> tuple[Perp, ...]:
    """Every simulated perpetual: the seed's, then ``extra_symbols_per_venue`` synthetic ones
    per seed row (same rules, ``-X<n>`` suffix, a tenth of the size)."""
    out: list[Perp] = []
    for extra in range(config.extra_symbols_per_venue + 1):
        for rule in venue_rules():
            out.append(
                Perp(
                    venue=rule.venue,
                    symbol=rule.symbol if extra == 0 else f"{rule.symbol}-X{extra}",
                    base_asset=rule.base_asset,
                    inverse=rule.contract_type == "inverse",
                    interval_hours=rule.default_interval_hours,
                    baseline_rate_8h=rule.baseline_rate_8h,
                    cap_rate=rule.cap_rate,
                    scale=1.0 if extra == 0 else EXTRA_SYMBOL_SCALE,
                    profile=venue_profile(rule.venue, rule.baseline_rate_8h),
                )
            )
    return tuple(out)


@cache
def spots() -> tuple[Spot, ...]:
    """Spot pairs (``ETH/USDT``...) on the venues that list spot, one per seed venue+asset."""
    seen: dict[tuple[str, str], Spot] = {}
    for rule in venue_rules():
        prof = venue_profile(rule.venue, rule.baseline_rate_8h)
        if prof.has_spot and (rule.venue, rule.base_asset) not in seen:
            symbol = f"{rule.base_asset}/{prof.spot_quote}"
            seen[(rule.venue, rule.base_asset)] = Spot(rule.venue, symbol, rule.base_asset, prof)
    return tuple(seen.values())


@cache
def dated_venues() -> tuple[tuple[str, str, VenueProfile], ...]:
    """(venue, base asset, profile) pairs that list dated futures."""
    seen: dict[tuple[str, str], VenueProfile] = {}
    for rule in venue_rules():
        prof = venue_profile(rule.venue, rule.baseline_rate_8h)
        if prof.has_dated:
            seen.setdefault((rule.venue, rule.base_asset), prof)
    return tuple((venue, asset, prof) for (venue, asset), prof in seen.items())
