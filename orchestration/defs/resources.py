"""Resources, bound once.

``PERP_FRAGILITY_SOURCE`` picks where raw data comes from:

- ``simulated`` (default): the offline, deterministic market serves every domain;
- ``live``: ccxt venues for the exchange datasets, the CFTC, Farside and FRED/Lido for the
  reference domains. Same assets, same landing, same marts: only the resources differ.
"""

import os

import dagster as dg

from orchestration.resources import keys
from orchestration.resources.distribution import distribution_from_env
from orchestration.resources.liquidation_source import liquidation_source_from_env
from orchestration.resources.market_source import MarketSourceResource, SimulatedMarketSource
from orchestration.warehouse.dbt_project import dbt_cli

SOURCE_ENV = "PERP_FRAGILITY_SOURCE"
SEED_ENV = "PERP_FRAGILITY_SEED"
SOURCES = ("simulated", "live")


def live_sources() -> dict[str, MarketSourceResource]:
    """The live resource of each domain (imported lazily: the demo never needs ccxt)."""
    from orchestration.resources.live_market import LiveMarketSource
    from orchestration.resources.reference_sources import CftcSource, EtfFlowSource, RatesSource

    return {
        keys.DOMAIN_SOURCES["exchange"]: LiveMarketSource(),
        keys.DOMAIN_SOURCES["cftc"]: CftcSource(),
        keys.DOMAIN_SOURCES["etf"]: EtfFlowSource(),
        keys.DOMAIN_SOURCES["rates"]: RatesSource(),
    }


def sources_from_env() -> dict[str, MarketSourceResource]:
    """The configured source of every domain; an unknown name fails with the valid choices."""
    name = os.environ.get(SOURCE_ENV, "simulated")
    if name == "simulated":
        simulated = SimulatedMarketSource(seed=int(os.environ.get(SEED_ENV, "7")))
        return {key: simulated for key in keys.DOMAIN_SOURCES.values()}
    if name == "live":
        return live_sources()
    raise ValueError(f"{SOURCE_ENV}={name!r} is not a known source; choose one of {SOURCES}")


@dg.definitions
def resources() -> dg.Definitions:
    bound: dict[str, object] = dict(sources_from_env())
    bound["liquidation_source"] = liquidation_source_from_env()
    bound[keys.DISTRIBUTION] = distribution_from_env()
    bound[keys.DBT] = dbt_cli()
    return dg.Definitions(resources=bound)
