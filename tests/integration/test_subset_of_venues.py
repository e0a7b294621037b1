"""A landing run with a subset of the seed venues configured succeeds: the blocking funding
coverage check expects the configured venues only, so the run succeeds and the
``warehouse_after_landing`` sensor asks for the warehouse build. The source here serves the
simulated market narrowed to the configured venues, as a live run with ``--venues`` does."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from orchestration.defs.jobs import daily_market_job, warehouse_after_landing
from orchestration.defs.liquidations import land_liquidations
from orchestration.defs.raw_checks import COMPLETENESS, raw_completeness, raw_freshness_and_volume
from orchestration.defs.raw_landing import COVERAGE_CHECK, raw_domain_assets
from orchestration.lib.universe import configured_venues
from orchestration.resources.liquidation_source import liquidation_source_from_env
from orchestration.resources.market_source import SimulatedMarketSource

DAY = date(2026, 11, 2)


class ConfiguredVenuesSource(SimulatedMarketSource):
    """The simulated market, only the configured venues' rows (what a subset run lands), or
    only ``venues`` when given."""

    venues: list[str] | None = None

    def fetch_day(self, day: date, datasets: frozenset[str]) -> Mapping[str, pa.Table]:
        venues = pa.array(self.venues or configured_venues())
        return {
            name: table.filter(pc.is_in(table.column("venue"), value_set=venues))
            if "venue" in table.column_names else table
            for name, table in super().fetch_day(day, datasets).items()
        }


@pytest.fixture
def subset_env(tmp_path, monkeypatch):
    monkeypatch.setenv("PERP_FRAGILITY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PERP_FRAGILITY_VENUES", "binance,bybit,okx")
    return tmp_path / "data"


def test_a_subset_of_venues_run_succeeds_and_the_warehouse_sensor_fires(subset_env) -> None:
    source = ConfiguredVenuesSource()
    defs = dg.Definitions(
        assets=[*raw_domain_assets, land_liquidations],
        asset_checks=[raw_freshness_and_volume, raw_completeness],
        jobs=[daily_market_job],
        resources={
            **{key: source for key in
               ("market_source", "cftc_source", "etf_source", "rates_source")},
            "liquidation_source": liquidation_source_from_env(),
        },
    )
    instance = dg.DagsterInstance.ephemeral()
    result = defs.resolve_job_def("daily_market_job").execute_in_process(
        partition_key=DAY.isoformat(), instance=instance, raise_on_error=False
    )
    assert result.success
    checks = {(e.asset_key.path[-1], e.check_name): e for e in
              result.get_asset_check_evaluations()}
    coverage = checks[("funding_rates", COVERAGE_CHECK)]
    assert coverage.passed and coverage.metadata["venue_days_missing"].value == 0
    for dataset in ("funding_rates", "premium_index", "ohlcv_daily", "open_interest",
                    "long_short_ratio", "dated_futures"):
        check = checks[(dataset, COMPLETENESS)]
        assert check.passed, check.metadata["gaps"]
        assert set(check.metadata["venues_configured"].value) <= {"binance", "bybit", "okx"}

    run = instance.get_run_by_id(result.run_id)
    assert run.job_name == daily_market_job.name  # the job the sensor monitors
    context = dg.build_run_status_sensor_context(
        sensor_name=warehouse_after_landing.name,
        dagster_event=result.get_run_success_event(),
        dagster_instance=instance,
        dagster_run=run,
    )
    request = warehouse_after_landing(context)
    assert isinstance(request, dg.RunRequest)
    assert request.tags["perp_fragility/landing_run"] == result.run_id


def test_the_same_landing_fails_when_every_seed_venue_is_configured(subset_env, monkeypatch):
    """The contrast: Deribit and Hyperliquid configured but not landed are real gaps."""
    monkeypatch.delenv("PERP_FRAGILITY_VENUES")
    source = ConfiguredVenuesSource(venues=["binance", "bybit", "okx"])
    defs = dg.Definitions(
        assets=[*raw_domain_assets, land_liquidations],
        jobs=[daily_market_job],
        resources={
            **{key: source for key in
               ("market_source", "cftc_source", "etf_source", "rates_source")},
            "liquidation_source": liquidation_source_from_env(),
        },
    )
    result = defs.resolve_job_def("daily_market_job").execute_in_process(
        partition_key=DAY.isoformat(), instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False)
    assert not result.success
    coverage = next(e for e in result.get_asset_check_evaluations()
                    if e.check_name == COVERAGE_CHECK)
    assert not coverage.passed
    assert coverage.metadata["venue_days_missing"].value == 4  # 2 venues x 2 perps
