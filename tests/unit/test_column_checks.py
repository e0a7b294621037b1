"""The generic tests of a model become one ``column_tests`` check (warehouse/column_checks.py).

Hand-made manifest and dbt ``LogTestResult`` events, in the shapes dbt-core writes them."""

from __future__ import annotations

from types import SimpleNamespace

import dagster as dg
import pytest

from orchestration.warehouse.column_checks import (
    COLUMN_TESTS,
    ColumnTestResults,
    ColumnTestsTranslator,
    check_only_args,
    column_tests_by_model,
    column_tests_spec,
)

MODEL = "model.perp_fragility.fct_carry_daily"
OTHER = "model.perp_fragility.stg_venues"
KEY = dg.AssetKey(["fct_carry_daily"])


def _generic(name: str, test: str, column: str, attached: str = MODEL, reads: tuple = (),
             config: dict | None = None, **kwargs) -> dict:
    return {
        "unique_id": f"test.perp_fragility.{name}",
        "name": name,
        "resource_type": "test",
        "attached_node": attached,
        "column_name": column,
        "test_metadata": {"name": test, "kwargs": {"column_name": column, **kwargs}},
        "config": config or {},
        "depends_on": {"nodes": [*reads, attached]},
    }


MANIFEST = {
    "parent_map": {"test.perp_fragility.assert_band_is_ordered": [MODEL]},
    "nodes": {
        MODEL: {"unique_id": MODEL, "name": "fct_carry_daily", "resource_type": "model",
                "config": {}, "meta": {}},
        OTHER: {"unique_id": OTHER, "name": "stg_venues", "resource_type": "model",
                "config": {}, "meta": {}},
        **{
            node["unique_id"]: node
            for node in (
                _generic("not_null_fct_carry_daily_date", "not_null", "date"),
                _generic("accepted_range_fct_carry_daily_carry", "accepted_range", "carry",
                         min_value=-1, max_value=5),
                _generic("relationships_fct_carry_daily_venue", "relationships", "venue",
                         reads=(OTHER,), to="ref('stg_venues')", field="venue"),
                _generic("not_null_stg_venues_venue", "not_null", "venue", attached=OTHER,
                         config={"severity": "warn"}),
            )
        },
        "test.perp_fragility.assert_band_is_ordered": {
            "unique_id": "test.perp_fragility.assert_band_is_ordered",
            "name": "assert_band_is_ordered",
            "resource_type": "test",
            "depends_on": {"nodes": [MODEL]},
            "config": {},
        },
    }
}


def _result(name: str, status: str, failures: int = 0) -> dict:
    return {
        "info": {"name": "LogTestResult"},
        "data": {
            "status": status,
            "num_failures": failures,
            "node_info": {"unique_id": f"test.perp_fragility.{name}"},
        },
    }


def test_the_index_holds_each_models_generic_tests_only():
    assert column_tests_by_model(MANIFEST) == {
        MODEL: ["test.perp_fragility.accepted_range_fct_carry_daily_carry",
                "test.perp_fragility.not_null_fct_carry_daily_date",
                "test.perp_fragility.relationships_fct_carry_daily_venue"],
        OTHER: ["test.perp_fragility.not_null_stg_venues_venue"],
    }


def _key_of(node_id: str) -> dg.AssetKey:
    return dg.AssetKey([MANIFEST["nodes"][node_id]["name"]])


def test_the_spec_names_every_rule_of_the_model():
    spec = column_tests_spec(KEY, MANIFEST, MODEL, column_tests_by_model(MANIFEST)[MODEL], _key_of)
    assert spec.name == COLUMN_TESTS and spec.asset_key == KEY
    assert spec.metadata["tests"] == 3
    assert "Every `venue` exists in stg_venues.`venue`." in spec.description
    assert "`date` is never null." in spec.description
    assert "`carry` is ≥ -1 and ≤ 5 where not null." in spec.description


def test_both_generic_tests_map_to_one_check_and_a_singular_test_keeps_its_own():
    translator = ColumnTestsTranslator()
    asset_spec = dg.AssetSpec(KEY)
    specs = [
        translator.get_asset_check_spec(asset_spec, MANIFEST, unique_id, None)
        for unique_id in (
            "test.perp_fragility.not_null_fct_carry_daily_date",
            "test.perp_fragility.accepted_range_fct_carry_daily_carry",
        )
    ]
    assert specs[0] is specs[1]  # built once per model, not once per test
    assert specs[0].name == COLUMN_TESTS and specs[0].metadata["tests"] == 3
    singular = translator.get_asset_check_spec(
        asset_spec, MANIFEST, "test.perp_fragility.assert_band_is_ordered", None)
    assert singular is not None and singular.name == "assert_band_is_ordered"


def test_all_passing_is_one_passed_result_with_the_count():
    gathered = ColumnTestResults(MANIFEST)
    assert gathered.add(_result("not_null_fct_carry_daily_date", "pass"))
    assert gathered.add(_result("accepted_range_fct_carry_daily_carry", "pass"))
    (result,) = gathered.results({MODEL: KEY}, [dg.AssetCheckKey(KEY, COLUMN_TESTS)])
    assert result.passed and result.check_name == COLUMN_TESTS
    assert result.metadata["tests_run"].value == 2
    assert result.metadata["tests_not_passing"].value == 0
    assert "not_passing" not in result.metadata


def test_a_failed_test_fails_the_check_and_names_its_rule_and_rows():
    gathered = ColumnTestResults(MANIFEST)
    gathered.add(_result("not_null_fct_carry_daily_date", "pass"))
    gathered.add(_result("accepted_range_fct_carry_daily_carry", "fail", failures=7))
    (result,) = gathered.results({MODEL: KEY}, [dg.AssetCheckKey(KEY, COLUMN_TESTS)])
    assert not result.passed and result.severity == dg.AssetCheckSeverity.ERROR
    assert result.metadata["failed_rows"].value == 7
    table = result.metadata["not_passing"].value
    assert "accepted_range_fct_carry_daily_carry" in table and "| fail | 7 |" in table
    assert "not_null_fct_carry_daily_date" not in table


def test_a_warning_alone_fails_with_warn_severity():
    gathered = ColumnTestResults(MANIFEST)
    gathered.add(_result("not_null_fct_carry_daily_date", "warn", failures=2))
    (result,) = gathered.results({MODEL: KEY}, [dg.AssetCheckKey(KEY, COLUMN_TESTS)])
    assert not result.passed and result.severity == dg.AssetCheckSeverity.WARN


def test_singular_tests_and_other_events_are_left_to_dagster_dbt():
    gathered = ColumnTestResults(MANIFEST)
    assert not gathered.add(_result("assert_band_is_ordered", "pass"))
    assert not gathered.add({"info": {"name": "LogModelResult"},
                             "data": {"node_info": {"unique_id": MODEL}}})
    assert not gathered.add({"info": {"name": "MainReportVersion"}, "data": {}})
    assert gathered.by_model == {}


def test_only_selected_checks_get_a_result_and_the_scope_is_attached():
    gathered = ColumnTestResults(MANIFEST)
    gathered.add(_result("not_null_fct_carry_daily_date", "pass"))
    gathered.add(_result("not_null_stg_venues_venue", "pass"))
    keys = {MODEL: KEY, OTHER: dg.AssetKey(["stg_venues"])}
    results = list(gathered.results(keys, [dg.AssetCheckKey(KEY, COLUMN_TESTS)],
                                    lambda test_id: {"test_scope": f"via {test_id}"}))
    assert [r.asset_key for r in results] == [KEY]
    assert results[0].metadata["test_scope"].value.startswith("via test.perp_fragility.not_null")


def test_a_relationships_test_is_a_check_of_its_model_only_and_keeps_dagster_dbts_rules():
    translator = ColumnTestsTranslator()
    relationship = "test.perp_fragility.relationships_fct_carry_daily_venue"
    other_key = dg.AssetKey(["stg_venues"])
    # dagster-dbt offers the test to the parent it reads too: no check there
    assert translator.get_asset_check_spec(dg.AssetSpec(other_key), MANIFEST, relationship,
                                           None) is None
    spec = translator.get_asset_check_spec(dg.AssetSpec(KEY), MANIFEST, relationship, None)
    assert spec.asset_key == KEY
    assert [d.asset_key for d in spec.additional_deps] == [other_key]
    assert spec.blocking  # error severity, dbt's default
    warn_only = translator.get_asset_check_spec(
        dg.AssetSpec(other_key), MANIFEST, "test.perp_fragility.not_null_stg_venues_venue", None)
    assert warn_only.asset_key == other_key and not warn_only.blocking


@pytest.mark.parametrize(
    ("assets", "checks", "expected"),
    [
        (set(), {dg.AssetCheckKey(KEY, COLUMN_TESTS)},
         ["test", "--select", "fct_carry_daily,test_type:generic"]),
        (set(), {dg.AssetCheckKey(KEY, "assert_band_is_ordered")},
         ["test", "--select", "assert_band_is_ordered"]),
        ({KEY}, {dg.AssetCheckKey(KEY, COLUMN_TESTS)}, None),
        (set(), set(), None),
    ],
)
def test_a_check_only_run_tests_the_models_of_its_checks(assets, checks, expected):
    context = SimpleNamespace(selected_asset_keys=assets, selected_asset_check_keys=checks)
    assert check_only_args(context, {MODEL: KEY}) == expected
