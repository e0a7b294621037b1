"""What each venue can give, decided from ccxt's ``has`` flags and the venue config.

The report must be able to say "not available on this venue" instead of showing a silent zero,
so the answer is an explicit table, computed without any network call (ccxt's ``has`` is a
class-level description):

    {venue: {dataset: 'available' | 'current only' | 'not available on this venue' |
                      'not configured'}}

``current only`` means the venue publishes today's value but no history (Deribit and
Hyperliquid open interest, their mark/index): a past day cannot be fetched, only a snapshot
taken during the day itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Protocol

import ccxt

from orchestration.landing.raw_schemas import EXCHANGE_DATASETS

AVAILABLE = "available"
CURRENT_ONLY = "current only"
NOT_AVAILABLE = "not available on this venue"
NOT_CONFIGURED = "not configured"

EXCHANGE_DATASET_NAMES: tuple[str, ...] = tuple(d.name for d in EXCHANGE_DATASETS)


class VenueConfig(Protocol):
    """What the table reads of a venue: ``lib.venues.VenueFacts`` (the coverage plan) and the
    live ``VenueConfig`` (``sources/live/config.py``) both have it, so landing never imports
    the live source."""

    @property
    def venue(self) -> str: ...
    @property
    def exchange_id(self) -> str: ...
    @property
    def futures_quotes(self) -> tuple[str, ...]: ...


def _has(has: Mapping[str, object], *names: str) -> bool:
    return all(has.get(name) in (True, "emulated") for name in names)


@cache
def exchange_has(exchange_id: str) -> Mapping[str, object]:
    """ccxt's ``has`` flags of an exchange (built from ``describe()``; no network)."""
    return dict(getattr(ccxt, exchange_id)().has)


def dataset_capability(config: VenueConfig, dataset: str) -> str:
    """One cell of the capability table."""
    has = exchange_has(config.exchange_id)
    if dataset == "funding_rates":
        return AVAILABLE if _has(has, "fetchFundingRateHistory") else NOT_AVAILABLE
    if dataset == "premium_index":
        if _has(has, "fetchMarkOHLCV", "fetchIndexOHLCV"):
            return AVAILABLE
        if _has(has, "fetchFundingRates") or _has(has, "fetchTicker"):
            return CURRENT_ONLY
        return NOT_AVAILABLE
    if dataset == "ohlcv_daily":
        return AVAILABLE if _has(has, "fetchOHLCV") else NOT_AVAILABLE
    if dataset == "open_interest":
        if _has(has, "fetchOpenInterestHistory"):
            return AVAILABLE
        if _has(has, "fetchOpenInterest") or _has(has, "fetchOpenInterests"):
            return CURRENT_ONLY
        return NOT_AVAILABLE
    if dataset == "long_short_ratio":
        return AVAILABLE if _has(has, "fetchLongShortRatioHistory") else NOT_AVAILABLE
    if dataset == "dated_futures":
        if config.futures_quotes:
            return AVAILABLE if _has(has, "fetchOHLCV") else NOT_AVAILABLE
        return NOT_CONFIGURED if _lists_futures(config) else NOT_AVAILABLE
    raise ValueError(f"{dataset!r} is not an exchange dataset")


def _lists_futures(config: VenueConfig) -> bool:
    # Hyperliquid lists perpetuals only; every other configured venue has dated contracts.
    return config.exchange_id not in {"hyperliquid"}


def capabilities(configs: Iterable[VenueConfig]) -> dict[str, dict[str, str]]:
    """The full table for ``configs`` (every exchange dataset)."""
    return {
        c.venue: {name: dataset_capability(c, name) for name in EXCHANGE_DATASET_NAMES}
        for c in configs
    }
