"""A quick look, before a live run starts, at whether the URLs it will call answer at all.

A live run on a machine without network would otherwise spend minutes in bounded retries and
end in a pile of step failures. Only the URLs this run will really call are checked: the
configured venues (at their ``--api-url`` mirror when one is set; Binance's spot API too when
spot pairs are configured) and the reference sites of the selected datasets. Each is asked
for with one HTTP GET through ``requests`` - the same stack ccxt uses - so ``HTTPS_PROXY`` /
``HTTP_PROXY`` / ``NO_PROXY`` apply exactly as in the run; any HTTP answer, even an error
status, counts as reachable.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor

import requests

REFERENCE_DATASETS = {"cftc_tff": "cftc", "etf_flows": "farside", "rates": "fred"}
"""Raw dataset -> the reference site it comes from."""


def _first_url(value: object) -> str | None:
    if isinstance(value, str) and value.startswith("http"):
        return value
    if isinstance(value, Mapping):
        for item in value.values():
            if found := _first_url(item):
                return found
    return None


MARKET_DATA_API = {"binanceusdm": "fapiPublic", "binance": "public"}
"""ccxt ``urls['api']`` key of the market-data host where the first one is another API
(Binance lists ``sapi`` on api.binance.com first; the run calls fapi / api v3)."""


def _ccxt_url(exchange_id: str) -> str | None:
    import ccxt

    exchange = getattr(ccxt, exchange_id)()
    api = exchange.urls.get("api")
    key = MARKET_DATA_API.get(exchange_id)
    url = api[key] if key and isinstance(api, Mapping) and key in api else _first_url(api)
    return exchange.implode_hostname(url) if url else None


def planned_urls(
    venues: Iterable[str],
    datasets: Iterable[str],
    api_urls: Mapping[str, str] | None = None,
    *,
    spot: bool = True,
) -> dict[str, str]:
    """name -> one URL per source this run calls: each venue (its mirror if configured, else
    its ccxt host; ``<venue> spot`` where the spot API is a separate client) when an
    exchange dataset is selected, and each reference site of a selected dataset."""
    from orchestration.landing.capabilities import EXCHANGE_DATASET_NAMES
    from orchestration.resources.reference_sources import CftcSource, EtfFlowSource, RatesSource
    from orchestration.sources.live.config import venue_configs

    wanted = set(datasets)
    overrides = dict(api_urls or {})
    urls: dict[str, str] = {}
    if wanted & set(EXCHANGE_DATASET_NAMES):
        for config in venue_configs(list(venues)):
            if config.venue in overrides:
                urls[config.venue] = overrides[config.venue]
                continue
            if url := _ccxt_url(config.exchange_id):
                urls[config.venue] = url
            needs_spot = spot and config.spot_exchange_id and config.spots
            if needs_spot and "ohlcv_daily" in wanted and (
                url := _ccxt_url(str(config.spot_exchange_id))
            ):
                urls[f"{config.venue} spot"] = url
    references = {"cftc": CftcSource().weekly_url, "farside": EtfFlowSource().btc_url,
                  "fred": RatesSource().fred_url}
    for dataset, name in REFERENCE_DATASETS.items():
        if dataset in wanted:
            urls[name] = references[name]
    return urls


def _probe(url: str, timeout_s: float) -> str | None:
    try:
        requests.get(url, timeout=timeout_s, allow_redirects=False, stream=True).close()
        return None
    except requests.RequestException as exc:
        reason = str(exc.__context__ or exc).splitlines()[0] if str(exc) else type(exc).__name__
        return f"{url}: {type(exc).__name__} ({reason[:160]})"


def unreachable(urls: Mapping[str, str], timeout_s: float = 3.0) -> dict[str, str]:
    """``{name: reason}`` for every URL that gives no HTTP answer (DNS, refused, timeout,
    proxy refusal)."""
    if not urls:
        return {}
    with ThreadPoolExecutor(max_workers=max(1, len(urls))) as pool:
        results: Iterator[str | None] = pool.map(lambda u: _probe(u, timeout_s), urls.values())
        return {name: r for name, r in zip(urls, results, strict=True) if r is not None}
