"""Venue configuration for live ingestion: adding a venue is a new ``VenueConfig``, not code.

Symbols and default funding intervals come from the dbt seed (``venue_rules()``), so the live
source, the simulated market, the coverage check and dbt agree on what each venue lists. What
the seed does not hold lives here: the ccxt exchange id, ccxt options, spot pairs, how a venue
wants its time window spelled where ccxt's unified ``since``/``until`` is not honoured, page
sizes, and the venue's published rate limit (used by the docs and the benchmark).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from orchestration.lib.venues import venue_facts, venue_rules

# Placeholders for window parameters (see ``VenueConfig.window_params``).
WINDOW_START = "start"  # first millisecond of the window (inclusive)
WINDOW_UNTIL = "until"  # last millisecond of the window (inclusive)
WINDOW_END = "end"  # first millisecond after the window (exclusive bound)


@dataclass(frozen=True, slots=True)
class RateLimitRule:
    """A venue's published request limit for paths starting with ``path_prefix``.

    Attributes:
        path_prefix: REST path prefix the rule covers ('' = every request).
        capacity: weight allowed per ``per_seconds`` window.
        per_seconds: length of the window.
        cost: weight of one request under this rule.
        note: where the number comes from.
    """

    path_prefix: str
    capacity: float
    per_seconds: float
    cost: float = 1.0
    note: str = ""

    @property
    def requests_per_second(self) -> float:
        return self.capacity / self.per_seconds / self.cost


@dataclass(frozen=True, slots=True)
class VenueConfig:
    """Everything live ingestion needs to know about one venue.

    Attributes:
        venue: venue name as in the seed (``binance``, ``bybit``, ...); rows carry it.
        exchange_id: ccxt exchange class id (``binanceusdm``, ``bybit``, ...).
        perps: base asset -> ccxt unified perpetual symbol (from the seed).
        spots: base asset -> ccxt unified spot symbol ('' / missing = no spot candles here).
        default_interval_hours: the seed's funding interval; a day must show a settlement in
            every block of this many hours to count as complete.
        options: ccxt ``options`` (e.g. which market types ``fetchMarkets`` loads).
        timeout_ms: per-request timeout handed to ccxt.
        funding_interval_hours: the venue's fixed funding interval when it has one by rule
            (Hyperliquid pays hourly); written on every row as venue metadata.
        market_interval_key: key in ccxt's ``market['info']`` holding the current funding
            interval in minutes (Bybit ``fundingInterval``); used only on rows whose own
            timestamp gaps confirm it, because it describes today, not history.
        funding_sample_hours: keep only settlements on this UTC grid (Deribit's history is an
            hourly series of the rolling 8 h rate; its 8 h marks are the settlements).
        page_limits: dataset -> records requested per call (a full page is split and refetched).
        window_params: dataset -> extra raw params for venues where ccxt does not pass the
            window through (OKX funding needs ``after``; Bybit's account ratio ignores ``since``).
        oi_timeframe: period of open-interest history used to find the end-of-day snapshot.
        ls_timeframe: period of the long/short account ratio.
        futures_quotes: quote currencies of the dated futures to collect (empty = none).
        futures_index: where the dated-futures spot index comes from: ``index_ohlcv`` (daily
            index candle of the perpetual), ``funding_history`` (Deribit funding rows carry the
            index) or ``spot_ohlcv``.
        rate_limits: the venue's published limits (docs, benchmark emulation).
        disable_currencies: skip ccxt's currency download on ``load_markets`` (not needed for
            market data; one request less per venue).
        spot_exchange_id: ccxt class of the venue's spot API where it is not the perp client
            (Binance: ``binance`` for ``/api/v3``; ``binanceusdm`` resolves ``BTC/USDT`` to the
            perpetual ``BTC/USDT:USDT`` and would serve perp candles as spot). None: the perp
            client lists spot markets too (Bybit, OKX).
        spot_options: ccxt ``options`` of that spot client.
    """

    venue: str
    exchange_id: str
    perps: Mapping[str, str]
    spots: Mapping[str, str] = field(default_factory=dict)
    default_interval_hours: float = 8.0
    options: Mapping[str, Any] = field(default_factory=dict)
    timeout_ms: int = 10_000
    funding_interval_hours: float | None = None
    market_interval_key: str | None = None
    funding_sample_hours: int | None = None
    page_limits: Mapping[str, int] = field(default_factory=dict)
    window_params: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    oi_timeframe: str = "1h"
    ls_timeframe: str = "1d"
    futures_quotes: tuple[str, ...] = ()
    futures_index: str = "index_ohlcv"
    rate_limits: tuple[RateLimitRule, ...] = ()
    disable_currencies: bool = True
    spot_exchange_id: str | None = None
    spot_options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def source(self) -> str:
        """The ``source`` column of every row this venue produces."""
        return f"ccxt:{self.exchange_id}"

    def page_limit(self, dataset: str, default: int = 200) -> int:
        return self.page_limits.get(dataset, default)

    def base_of(self, symbol: str) -> str | None:
        """Base asset of a configured symbol (perp or spot), else None."""
        for base, sym in (*self.perps.items(), *self.spots.items()):
            if sym == symbol:
                return base
        return None


# Fetch details per venue (its ccxt id, spot pairs and futures quotes are in lib/venues.py).
# Page sizes are the venue maxima ccxt documents; rate limits are the venues' published
# public-endpoint limits (docs/live-sources.md).
_VENUE_EXTRAS: dict[str, dict[str, Any]] = {
    "binance": {
        "options": {"fetchMarkets": {"types": ["linear"]}},
        "spot_exchange_id": "binance",
        "spot_options": {"fetchMarkets": {"types": ["spot"]}},
        "page_limits": {
            "funding_rates": 1000,
            "premium_index": 500,
            "ohlcv_daily": 500,
            "open_interest": 500,
            "long_short_ratio": 500,
        },
        "futures_index": "index_ohlcv",
        "rate_limits": (
            RateLimitRule("/fapi/v1/fundingRate", 500, 300, note="shared with fundingInfo"),
            RateLimitRule("/futures/data/", 1000, 300, note="open-interest / ratio statistics"),
            RateLimitRule("", 2400, 60, note="request weight per IP"),
        ),
    },
    "bybit": {
        "options": {"fetchMarkets": {"types": ["linear", "spot"]}},
        "market_interval_key": "fundingInterval",
        "page_limits": {
            "funding_rates": 200,
            "premium_index": 1000,
            "ohlcv_daily": 1000,
            "open_interest": 200,
            "long_short_ratio": 500,
        },
        "window_params": {
            "long_short_ratio": (("startTime", WINDOW_START), ("endTime", WINDOW_UNTIL)),
        },
        "rate_limits": (RateLimitRule("", 600, 5, note="HTTP requests per IP"),),
    },
    "okx": {
        "options": {"fetchMarkets": {"types": ["spot", "swap", "future"]}},
        "page_limits": {
            "funding_rates": 100,
            "premium_index": 100,
            "ohlcv_daily": 100,
            "open_interest": 100,
            "long_short_ratio": 100,
        },
        "window_params": {"funding_rates": (("after", WINDOW_END),)},
        "futures_index": "index_ohlcv",
        "rate_limits": (
            RateLimitRule("/api/v5/public/funding-rate-history", 10, 2),
            RateLimitRule("/api/v5/rubik/", 5, 2, note="trading statistics"),
            RateLimitRule("", 20, 2, note="public market data"),
        ),
    },
    "deribit": {
        "funding_sample_hours": 8,
        "page_limits": {"funding_rates": 744, "ohlcv_daily": 1000},
        "futures_index": "funding_history",
        "rate_limits": (
            RateLimitRule("", 100, 5, note="credits: burst 100, refill 20 requests/s"),
        ),
    },
    "hyperliquid": {
        "options": {"fetchMarkets": {"types": ["swap"]}},
        "funding_interval_hours": 1.0,
        "page_limits": {"funding_rates": 500, "ohlcv_daily": 500},
        "rate_limits": (RateLimitRule("", 1200, 60, cost=20, note="weight per IP; info = 20"),),
    },
}


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


def default_venue_configs() -> tuple[VenueConfig, ...]:
    """One config per venue of the seed, in seed order (symbols and intervals from the seed)."""
    configs: list[VenueConfig] = []
    for venue in dict.fromkeys(rule.venue for rule in venue_rules()):
        rules = [r for r in venue_rules() if r.venue == venue]
        extras = dict(_VENUE_EXTRAS.get(venue, {}))
        facts = venue_facts(venue)
        configs.append(
            VenueConfig(
                venue=venue,
                exchange_id=facts.exchange_id,
                spots=_frozen(facts.spots),
                futures_quotes=facts.futures_quotes,
                perps=_frozen({r.base_asset: r.symbol for r in rules}),
                default_interval_hours=max(r.default_interval_hours for r in rules),
                **{
                    k: (_frozen(v) if isinstance(v, dict) else v)
                    for k, v in extras.items()
                },
            )
        )
    return tuple(configs)


def spot_config(config: VenueConfig) -> VenueConfig:
    """The config of the venue's spot client (its rows say ``ccxt:<spot id>``), or ``config``
    itself when the perp client lists spot markets too."""
    if not config.spot_exchange_id:
        return config
    return replace(config, exchange_id=config.spot_exchange_id, options=config.spot_options)


def narrowed(config: VenueConfig, symbols: tuple[str, ...] | frozenset[str]) -> VenueConfig:
    """``config`` keeping only ``symbols`` (perps and spot pairs); dated futures and the
    completeness rules follow the perps that remain."""
    return replace(
        config,
        perps=_frozen({b: s for b, s in config.perps.items() if s in symbols}),
        spots=_frozen({b: s for b, s in config.spots.items() if s in symbols}),
    )


def venue_configs(
    names: list[str] | tuple[str, ...] | None = None, *, timeout_ms: int | None = None
) -> tuple[VenueConfig, ...]:
    """The configs of ``names`` (default: every seed venue); unknown names fail loudly."""
    available = {c.venue: c for c in default_venue_configs()}
    chosen = list(names) if names else list(available)
    unknown = [n for n in chosen if n not in available]
    if unknown:
        raise ValueError(f"unknown venue(s) {unknown}; configured: {sorted(available)}")
    configs = tuple(available[n] for n in chosen)
    if timeout_ms is not None:
        configs = tuple(replace(c, timeout_ms=timeout_ms) for c in configs)
    return configs
