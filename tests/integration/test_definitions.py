"""The code location loads, and its graph connects raw landing -> dbt -> report."""

import dagster as dg
import pytest

from orchestration.definitions import defs
from orchestration.landing.raw_schemas import ALL_DATASETS


@pytest.fixture(scope="module")
def definitions() -> dg.Definitions:
    loaded = defs()
    dg.Definitions.validate_loadable(loaded)
    return loaded


def test_raw_asset_keys_are_the_dbt_source_keys(definitions):
    graph = definitions.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    for dataset in ALL_DATASETS:
        assert f"raw/{dataset.name}" in keys
    # every raw asset is materialisable (not an external source) and feeds dbt staging
    for dataset in ALL_DATASETS:
        node = graph.get(dg.AssetKey(["raw", dataset.name]))
        assert node.is_materializable
        children = {c.to_user_string() for c in node.child_keys}
        assert f"stg_{dataset.name}" in children


def test_report_depends_on_the_fragility_mart(definitions):
    graph = definitions.resolve_asset_graph()
    report = graph.get(dg.AssetKey(["reports", "weekly_fragility_pdf"]))
    parents = {p.to_user_string() for p in report.parent_keys}
    assert "fct_fragility_weekly" in parents


def test_jobs_and_schedules(definitions):
    assert definitions.resolve_job_def("daily_market_job").partitions_def is not None
    assert definitions.resolve_job_def("weekly_report_job").partitions_def is not None
    schedules = {
        name: definitions.resolve_schedule_def(name)
        for name in ("daily_market_job_schedule", "weekly_report_job_schedule")
    }
    assert schedules["daily_market_job_schedule"].cron_schedule == "45 0 * * *"
    assert schedules["weekly_report_job_schedule"].cron_schedule == "0 2 * * 1"
    assert all(s.execution_timezone == "UTC" for s in schedules.values())


def test_unknown_source_fails_with_the_choices(monkeypatch):
    from orchestration.defs.resources import sources_from_env

    monkeypatch.setenv("PERP_FRAGILITY_SOURCE", "nope")
    with pytest.raises(ValueError, match="simulated.*live"):
        sources_from_env()


def test_every_raw_dataset_has_freshness_volume_and_quarantine_checks(definitions):
    job = definitions.resolve_job_def("daily_market_job")
    checks = {
        (k.asset_key.to_user_string(), k.name) for k in job.asset_layer.asset_graph.asset_check_keys
    }
    for dataset in ALL_DATASETS:
        for name in ("fresh_against_calendar", "row_count_in_line", "no_quarantined_rows"):
            assert (f"raw/{dataset.name}", name) in checks
    assert ("raw/funding_rates", "venue_day_coverage") in checks


def test_import_jobs_and_the_completeness_checks(definitions):
    for name in ("import_job", "forget_import_job", "warehouse_rebuild_job"):
        assert definitions.resolve_job_def(name) is not None
    rebuild = definitions.resolve_job_def("warehouse_rebuild_job")
    checks = {(k.asset_key.to_user_string(), k.name)
              for k in rebuild.asset_layer.asset_graph.asset_check_keys}
    daily = {(k.asset_key.to_user_string(), k.name) for k in
             definitions.resolve_job_def("daily_market_job").asset_layer.asset_graph
             .asset_check_keys}
    for dataset in ALL_DATASETS:
        if dataset.domain == "exchange":
            assert (f"raw/{dataset.name}", "rows_match_configuration") in checks & daily
