"""A quick look at whether the live sources can be reached at all, before a run starts.

A live run on a machine without network would otherwise spend minutes in bounded retries and
end in a pile of step failures. Resolving each source's host and opening one TCP connection
takes a second and lets the CLI say plainly which sources are unreachable.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse


def _first_url(value: object) -> str | None:
    if isinstance(value, str) and value.startswith("http"):
        return value
    if isinstance(value, Mapping):
        for item in value.values():
            if found := _first_url(item):
                return found
    return None


def live_source_urls() -> dict[str, str]:
    """One representative API URL per live source: each ccxt venue and each reference site."""
    import ccxt

    from orchestration.lib.live.config import default_venue_configs
    from orchestration.resources.reference_sources import CftcSource, EtfFlowSource, RatesSource

    urls: dict[str, str] = {}
    for config in default_venue_configs():
        exchange = getattr(ccxt, config.exchange_id)()
        if url := _first_url(exchange.urls.get("api")):
            urls[config.venue] = exchange.implode_hostname(url)
    urls["cftc"] = CftcSource().weekly_url
    urls["farside"] = EtfFlowSource().btc_url
    urls["fred"] = RatesSource().fred_url
    return urls


def _probe(url: str, timeout_s: float) -> str | None:
    parsed = urlparse(url)
    host = parsed.hostname or ""
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return None
    except OSError as exc:
        return f"{host}: {exc.strerror or exc}"


def unreachable(urls: Mapping[str, str], timeout_s: float = 3.0) -> dict[str, str]:
    """``{name: reason}`` for every URL whose host cannot be resolved or connected to."""
    with ThreadPoolExecutor(max_workers=max(1, len(urls))) as pool:
        results: Iterator[str | None] = pool.map(lambda u: _probe(u, timeout_s), urls.values())
        return {name: r for name, r in zip(urls, results, strict=True) if r is not None}
