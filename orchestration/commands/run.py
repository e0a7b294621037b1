"""``perp-fragility run``: its live-configuration options and the pre-flight check.

The options have the same names as the environment variables of
``orchestration.lib.universe`` and are written into them before the Dagster definitions load,
so the run, its checks and a UI started from the same shell see one configuration:

    --venues binance,okx            PERP_FRAGILITY_VENUES
    --symbols ETH/USDT:USDT,...     PERP_FRAGILITY_SYMBOLS
    --datasets funding_rates,...    PERP_FRAGILITY_DATASETS
    --api-url binance=URL (repeat)  PERP_FRAGILITY_API_URLS="binance=URL,okx=URL"

``--refetch-incomplete`` is run config of the ``market_source`` resource
(``refetch_incomplete: true``), the same setting the UI launchpad takes.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from orchestration.lib import universe


def add_options(parser: argparse.ArgumentParser) -> None:
    """Register the live-configuration options of ``run``."""
    parser.add_argument("--venues", help="comma-separated venues (env PERP_FRAGILITY_VENUES; "
                        "default all of the venue seed)")
    parser.add_argument("--symbols", help="comma-separated ccxt unified symbols (env "
                        "PERP_FRAGILITY_SYMBOLS; default the ETH and BTC perps and spot)")
    parser.add_argument("--datasets", help="comma-separated raw datasets to land (env "
                        "PERP_FRAGILITY_DATASETS; default all); other sources are not contacted")
    parser.add_argument("--api-url", action="append", default=[], metavar="VENUE=URL",
                        help="a venue's API base URL (mirror or recording proxy; the venue's "
                        "path layout kept); repeatable (env PERP_FRAGILITY_API_URLS)")
    parser.add_argument("--refetch-incomplete", action="store_true",
                        help="live: fetch again every (day, venue, dataset) of the range not "
                        "recorded ok; the rest is served from the landed files")


def apply_options(args: argparse.Namespace) -> None:
    """Validate the options and export them to the environment (a bad value: SystemExit with
    one line naming the option)."""
    from orchestration.landing.raw_schemas import ALL_DATASETS

    for option, env in (("venues", universe.VENUES_ENV), ("symbols", universe.SYMBOLS_ENV),
                        ("datasets", universe.DATASETS_ENV)):
        value = getattr(args, option, None)
        if value is not None:
            os.environ[env] = value
    try:
        if getattr(args, "api_url", None):  # the options win over the environment, per venue
            merged = {**universe.configured_api_urls(), **universe.parse_api_urls(args.api_url)}
            os.environ[universe.API_URLS_ENV] = ",".join(f"{v}={u}" for v, u in merged.items())
        universe.configured_venues()
        universe.check_symbols()
        universe.configured_datasets(tuple(d.name for d in ALL_DATASETS))
        universe.configured_api_urls()
    except universe.UniverseError as error:
        raise SystemExit(f"perp-fragility run: {error}") from None


def run_config(args: argparse.Namespace) -> dict[str, Any]:
    """Resource run config implied by the options (empty when none applies)."""
    if getattr(args, "refetch_incomplete", False) and is_live():
        return {"resources": {"market_source": {"config": {"refetch_incomplete": True}}}}
    return {}


def is_live() -> bool:
    return os.environ.get("PERP_FRAGILITY_SOURCE", "simulated") == "live"


def check_live_sources() -> None:
    """Fail fast, naming them, when none of the URLs this run calls answers; warn when some
    do not."""
    from orchestration.landing.raw_schemas import ALL_DATASETS
    from orchestration.resources.reachability import planned_urls, unreachable

    datasets = universe.configured_datasets(tuple(d.name for d in ALL_DATASETS))
    urls = planned_urls(universe.configured_venues(), datasets, universe.configured_api_urls())
    down = unreachable(urls)
    lines = "\n".join(f"  {name}: {reason}" for name, reason in sorted(down.items()))
    if urls and len(down) == len(urls):
        raise SystemExit(
            f"live sources unreachable (no network?): nothing fetched.\n{lines}\n"
            "Run offline with --source simulated, or check the network, HTTPS_PROXY or "
            "--api-url."
        )
    if down:
        print(f"warning: unreachable live sources, their datasets will show gaps:\n{lines}")
