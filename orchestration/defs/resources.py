"""Resources, bound once.

``PERP_FRAGILITY_SOURCE`` picks where raw data comes from:

- ``simulated`` (default): the offline, deterministic market serves every domain;
- ``live``: ccxt venues for the exchange datasets, the CFTC, Farside and FRED/Lido for the
  reference domains. Same assets, same landing, same marts: only the resources differ.
"""

import os

import dagster as dg

from orchestration.dbt_project import dbt_cli
from orchestration.defs.raw_landing import DOMAIN_SOURCES
from orchestration.resources.distribution import distribution_from_env
from orchestration.resources.liquidation_source import liquidation_source_from_env
from orchestration.resources.market_source import MarketSourceResource, SimulatedMarketSource

SOURCE_ENV = "PERP_FRAGILITY_SOURCE"
SEED_ENV = "PERP_FRAGILITY_SEED"
SOURCES = ("simulated", "live")


def live_sources() -> dict[str, MarketSourceResource]:
    """The live resource of each domain (imported lazily: the demo never needs ccxt)."""
    from orchestration.resources.live_market import LiveMarketSource
    from orchestration.resources.reference_sources import CftcSource, EtfFlowSource, RatesSource

    return {
        "market_source": LiveMarketSource(),
        "cftc_source": CftcSource(),
        "etf_source": EtfFlowSource(),
        "rates_source": RatesSource(),
    }


def sources_from_env() -> dict[str, MarketSourceResource]:
    """The configured source of every domain; an unknown name fails with the valid choices."""
    name = os.environ.get(SOURCE_ENV, "simulated")
    if name == "simulated":
        simulated = SimulatedMarketSource(seed=int(os.environ.get(SEED_ENV, "7")))
        return {key: simulated for key in DOMAIN_SOURCES.values()}
    if name == "live":
        return live_sources()
    raise ValueError(f"{SOURCE_ENV}={name!r} is not a known source; choose one of {SOURCES}")


@dg.definitions
def resources() -> dg.Definitions:
    bound: dict[str, object] = dict(sources_from_env())
    bound["liquidation_source"] = liquidation_source_from_env()
    bound["distribution"] = distribution_from_env()
    bound["dbt"] = dbt_cli()
    return dg.Definitions(resources=bound)
