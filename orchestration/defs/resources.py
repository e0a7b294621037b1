"""Resources, bound once. ``PERP_FRAGILITY_SOURCE`` picks the market source (default
``simulated``, the offline demo market); every source domain is served by it."""

from __future__ import annotations

import os

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.dbt_project import dbt_project
from orchestration.defs.raw_landing import DOMAIN_SOURCES
from orchestration.resources.market_source import MarketSourceResource, SimulatedMarketSource

SOURCE_ENV = "PERP_FRAGILITY_SOURCE"
SEED_ENV = "PERP_FRAGILITY_SEED"
SOURCES = ("simulated",)


def market_source_from_env() -> MarketSourceResource:
    """The configured source; an unknown name fails at load time with the valid choices."""
    name = os.environ.get(SOURCE_ENV, "simulated")
    if name == "simulated":
        return SimulatedMarketSource(seed=int(os.environ.get(SEED_ENV, "7")))
    raise ValueError(f"{SOURCE_ENV}={name!r} is not a known source; choose one of {SOURCES}")


@dg.definitions
def resources() -> dg.Definitions:
    source = market_source_from_env()
    bound: dict[str, object] = {key: source for key in DOMAIN_SOURCES.values()}
    bound["dbt"] = DbtCliResource(project_dir=dbt_project)
    return dg.Definitions(resources=bound)
