"""Every dbt unit test (hand-computed expected values for each formula) passes.

Scheduled builds exclude unit tests (they test the SQL, not the day's data); this runs them
against the end-to-end warehouse, together with a full ``dbt build`` of the data tests.
"""

import pytest
from dagster_dbt import DbtCliResource

from orchestration.warehouse.dbt_project import dbt_cli
from orchestration.warehouse.warehouse_lock import warehouse_lock


@pytest.fixture(scope="module")
def dbt(pipeline_run) -> DbtCliResource:
    return dbt_cli()


def _run(dbt: DbtCliResource, args: list[str]):
    with warehouse_lock(exclusive=True):
        invocation = dbt.cli(args, raise_on_error=False)
        events = list(invocation.stream_raw_events())
    return invocation, events


def test_all_unit_tests_pass(dbt):
    invocation, events = _run(dbt, ["test", "--select", "test_type:unit"])
    results = invocation.get_artifact("run_results.json")["results"]
    assert len(results) >= 20, "expected a unit test for every formula"
    failed = [r["unique_id"] for r in results if r["status"] != "pass"]
    assert invocation.is_successful() and not failed, failed


def test_data_tests_pass_on_the_pipeline_warehouse(dbt):
    invocation, _ = _run(dbt, ["test", "--exclude", "test_type:unit"])
    results = invocation.get_artifact("run_results.json")["results"]
    assert len(results) >= 100
    failed = [r["unique_id"] for r in results if r["status"] not in ("pass", "warn")]
    assert invocation.is_successful() and not failed, failed
