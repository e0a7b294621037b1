"""``perp-fragility collect-liquidations``: options -> :class:`CollectorSettings` -> run.

Settings follow the live source's: ``--venues`` / ``PERP_FRAGILITY_VENUES`` and ``--symbols`` /
``PERP_FRAGILITY_SYMBOLS`` (orchestration/lib/universe.py; only venues with a public
liquidation stream are collected: binance, bybit, okx), ``--api-url VENUE=URL`` for the REST
market load, and ``--ws-url VENUE=URL`` / ``PERP_FRAGILITY_WS_URLS="binance=URL,..."`` replacing
scheme and host of the venue's WebSocket URLs (paths kept), so a mirror or a recording proxy
can stand in. Files go under ``PERP_FRAGILITY_DATA_DIR``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from orchestration.sources.liquidations.venues import EXCHANGE_IDS

if TYPE_CHECKING:
    from orchestration.sources.liquidations.collector import CollectorSettings

WS_URLS_ENV = "PERP_FRAGILITY_WS_URLS"
MAX_FLUSH_SECONDS = 60.0


class CollectorUsageError(ValueError):
    """A bad option value (printed as one line, exit 2)."""


def parse_venue_urls(items: Sequence[str], what: str) -> dict[str, str]:
    """``["binance=ws://h:1", ...]`` -> ``{"binance": "ws://h:1"}``, checked."""
    out: dict[str, str] = {}
    for item in items:
        venue, sep, url = item.partition("=")
        venue, url = venue.strip(), url.strip()
        if not sep or not venue or not url:
            raise CollectorUsageError(f"{what} expects VENUE=URL, got {item!r}")
        parts = urlsplit(url)
        if not parts.scheme or not parts.netloc:
            raise CollectorUsageError(f"{what} {venue}: {url!r} is not a URL (scheme://host)")
        out[venue] = url
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--venues", help="comma list (env PERP_FRAGILITY_VENUES); streamed: "
                        f"{', '.join(EXCHANGE_IDS)}")
    parser.add_argument("--symbols", help="comma list of ccxt perpetual symbols "
                        "(env PERP_FRAGILITY_SYMBOLS)")
    parser.add_argument("--api-url", action="append", default=[], metavar="VENUE=URL",
                        help="replace the venue's REST host (market load)")
    parser.add_argument("--ws-url", action="append", default=[], metavar="VENUE=URL",
                        help=f"replace the venue's WebSocket host (env {WS_URLS_ENV})")
    parser.add_argument("--flush-seconds", type=float, default=30.0,
                        help="flush interval, at most 60 (default 30)")
    parser.add_argument("--stale-after", type=float, default=120.0,
                        help="recycle a connection silent this many seconds (default 120)")
    parser.add_argument("--backoff-max", type=float, default=60.0,
                        help="longest wait between reconnects (default 60 s)")
    parser.add_argument("--duration", type=float, default=None,
                        help="stop after this many seconds (default: run until SIGTERM)")


def settings_from_args(
    args: argparse.Namespace, env: Mapping[str, str] | None = None
) -> CollectorSettings:
    """The collector's settings from the options and the environment."""
    from orchestration.lib import settings as paths
    from orchestration.lib.universe import (
        SYMBOLS_ENV,
        VENUES_ENV,
        configured_symbols,
        configured_venues,
        split_list,
    )
    from orchestration.sources.liquidations.collector import CollectorSettings
    from orchestration.sources.live.config import venue_configs

    env = dict(os.environ if env is None else env)
    if args.venues:
        env[VENUES_ENV] = args.venues
    if args.symbols:
        env[SYMBOLS_ENV] = args.symbols
    if not 0 < args.flush_seconds <= MAX_FLUSH_SECONDS:
        raise CollectorUsageError(f"--flush-seconds must be in (0, {MAX_FLUSH_SECONDS:.0f}]")
    if args.stale_after <= 0 or args.backoff_max <= 0:
        raise CollectorUsageError("--stale-after and --backoff-max must be positive")
    venues = [v for v in configured_venues(env) if v in EXCHANGE_IDS]
    if not venues:
        raise CollectorUsageError(
            "no venue with a liquidation stream selected; streamed venues: "
            f"{', '.join(EXCHANGE_IDS)}"
        )
    symbols: dict[str, tuple[str, ...]] = {}
    bases: dict[str, dict[str, str]] = {}
    for config in venue_configs(venues):
        perps = tuple(s for s in configured_symbols(config.venue, env) if ":" in s)
        if not perps:
            continue
        symbols[config.venue] = perps
        bases[config.venue] = {s: config.base_of(s) or s.split("/")[0] for s in perps}
    if not symbols:
        raise CollectorUsageError("no perpetual symbol selected on any streamed venue")
    ws_urls = parse_venue_urls(split_list(env.get(WS_URLS_ENV)), WS_URLS_ENV)
    ws_urls.update(parse_venue_urls(args.ws_url, "--ws-url"))
    api_urls = parse_venue_urls(args.api_url, "--api-url")
    unknown = sorted((set(ws_urls) | set(api_urls)) - set(EXCHANGE_IDS))
    if unknown:
        raise CollectorUsageError(f"URL override for unknown venue(s) {', '.join(unknown)}")
    return CollectorSettings(
        symbols=symbols,
        bases=bases,
        data_root=paths.data_dir(),
        api_urls=api_urls,
        ws_urls=ws_urls,
        flush_seconds=args.flush_seconds,
        stale_after_s=args.stale_after,
        backoff_max_s=args.backoff_max,
    )


def run(args: argparse.Namespace) -> None:
    """Entry point of the subcommand: exits 2 with one line on a bad option."""
    from orchestration.lib.universe import UniverseError
    from orchestration.sources.liquidations.collector import Collector

    try:
        settings = settings_from_args(args)
    except (CollectorUsageError, UniverseError) as exc:
        print(f"collect-liquidations: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr
    )
    logging.getLogger("websockets").setLevel(logging.WARNING)
    rows = asyncio.run(Collector(settings).run(duration_s=args.duration))
    print(f"collect-liquidations: stopped, {rows} rows written under {settings.data_root}")
