"""What this installation collects: the configured venues, symbols and datasets.

One place answers "which venue-days and symbols should exist?", so the live source, the
importers (which quarantine rows of anything not configured) and the completeness checks agree.
Each setting has the same name on the command line and in the environment:

- ``--venues binance,bybit,okx`` / ``PERP_FRAGILITY_VENUES`` (default: every seed venue);
- ``--symbols`` / ``PERP_FRAGILITY_SYMBOLS`` (ccxt unified symbols; default: the seed's ETH and
  BTC perpetuals plus each venue's spot pairs);
- ``--datasets`` / ``PERP_FRAGILITY_DATASETS`` (raw dataset names; default: all);
- ``--api-url VENUE=URL`` (repeatable) / ``PERP_FRAGILITY_API_URLS="binance=URL,okx=URL"``: a
  mirror or recording proxy per venue, replacing scheme and host of its REST URLs while keeping
  the venue's path layout (default: the venues' own hosts).

The CLI writes its options into these variables before the definitions load, so a run, the UI
launched from the same shell and the checks all see one configuration.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from orchestration.lib.venues import spot_pairs, venue_rules, venues

VENUES_ENV = "PERP_FRAGILITY_VENUES"
SYMBOLS_ENV = "PERP_FRAGILITY_SYMBOLS"
DATASETS_ENV = "PERP_FRAGILITY_DATASETS"
API_URLS_ENV = "PERP_FRAGILITY_API_URLS"


class UniverseError(ValueError):
    """A setting names a venue, symbol or dataset the project does not know (user error)."""


def split_list(text: str | None) -> tuple[str, ...]:
    """``"a, b,,c"`` -> ``("a", "b", "c")``; ``None`` or blank -> ``()``."""
    if not text:
        return ()
    return tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))


def configured_venues(env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The venues this installation collects, in seed order; unknown names raise UniverseError."""
    env = os.environ if env is None else env
    chosen = split_list(env.get(VENUES_ENV))
    if not chosen:
        return venues()
    unknown = [v for v in chosen if v not in venues()]
    if unknown:
        raise UniverseError(
            f"{VENUES_ENV} / --venues names unknown venue(s) {', '.join(unknown)}; "
            f"known: {', '.join(venues())}"
        )
    return tuple(v for v in venues() if v in chosen)


def default_symbols(venue: str) -> tuple[str, ...]:
    """The seed's perpetuals of ``venue`` plus its spot pairs (ccxt unified symbols)."""
    perps = tuple(rule.symbol for rule in venue_rules() if rule.venue == venue)
    return perps + spot_pairs(venue)


def configured_symbols(
    venue: str, env: Mapping[str, str] | None = None
) -> tuple[str, ...]:
    """The symbols collected on ``venue``: the defaults, narrowed by ``PERP_FRAGILITY_SYMBOLS``
    (a symbol listed there is kept on every venue that lists it by default)."""
    env = os.environ if env is None else env
    chosen = split_list(env.get(SYMBOLS_ENV))
    defaults = default_symbols(venue)
    if not chosen:
        return defaults
    return tuple(s for s in defaults if s in chosen)


def configured_datasets(
    known: tuple[str, ...], env: Mapping[str, str] | None = None
) -> tuple[str, ...]:
    """The raw datasets a run lands (default all ``known``); unknown names raise UniverseError."""
    env = os.environ if env is None else env
    chosen = split_list(env.get(DATASETS_ENV))
    if not chosen:
        return known
    unknown = [d for d in chosen if d not in known]
    if unknown:
        raise UniverseError(
            f"{DATASETS_ENV} / --datasets names unknown dataset(s) {', '.join(unknown)}; "
            f"known: {', '.join(known)}"
        )
    return tuple(d for d in known if d in chosen)


def unknown_symbols(symbols: tuple[str, ...]) -> tuple[str, ...]:
    """The symbols no seed venue lists by default (a typo would otherwise select nothing)."""
    known = {s for venue in venues() for s in default_symbols(venue)}
    return tuple(s for s in symbols if s not in known)


def check_symbols(env: Mapping[str, str] | None = None) -> None:
    """Raise UniverseError when ``PERP_FRAGILITY_SYMBOLS`` names a symbol no venue lists."""
    env = os.environ if env is None else env
    unknown = unknown_symbols(split_list(env.get(SYMBOLS_ENV)))
    if unknown:
        raise UniverseError(
            f"{SYMBOLS_ENV} / --symbols names unknown symbol(s) {', '.join(unknown)}; "
            "use ccxt unified symbols, e.g. ETH/USDT:USDT (perp) or ETH/USDT (spot)"
        )


def parse_api_urls(items: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``["binance=https://m.example/b", ...]`` -> ``{venue: url}``; bad items raise."""
    urls: dict[str, str] = {}
    for item in items:
        venue, sep, url = item.partition("=")
        venue, url = venue.strip(), url.strip()
        if not sep or not venue or not url:
            raise UniverseError(
                f"{API_URLS_ENV} / --api-url expects VENUE=URL, got {item!r}"
            )
        if venue not in venues():
            raise UniverseError(
                f"{API_URLS_ENV} / --api-url names unknown venue {venue!r}; "
                f"known: {', '.join(venues())}"
            )
        if not url.startswith(("http://", "https://")):
            raise UniverseError(
                f"{API_URLS_ENV} / --api-url {venue}: expected an http(s) URL, got {url!r}"
            )
        urls[venue] = url.rstrip("/")
    return urls


def configured_api_urls(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """venue -> base URL replacing that venue's API hosts (``PERP_FRAGILITY_API_URLS``)."""
    env = os.environ if env is None else env
    return parse_api_urls(split_list(env.get(API_URLS_ENV)))

