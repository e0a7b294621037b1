"""``column_tests`` in real runs: one check per model, every generic test counted, and the UI's
check-only "Execute check" runs the model's tests without rebuilding it."""

from __future__ import annotations

import dagster as dg

from orchestration.warehouse.column_checks import COLUMN_TESTS, column_tests_by_model


def _declared(spec: dg.AssetCheckSpec) -> int:
    """How many generic tests the spec says its model declares."""
    tests = spec.metadata["tests"]
    return getattr(tests, "value", tests)


def _warehouse_checks() -> dict[dg.AssetCheckKey, dg.AssetCheckSpec]:
    from orchestration.defs.dbt_models import warehouse_models

    return {spec.key: spec for spec in warehouse_models.check_specs}


def test_every_model_with_generic_tests_has_one_passing_check_counting_them(pipeline_run):
    from orchestration.warehouse.dbt_project import dbt_project, manifest_at

    manifest = manifest_at(dbt_project.manifest_path)
    tested = {manifest["nodes"][m]["name"] for m in column_tests_by_model(manifest)}
    specs = {k: s for k, s in _warehouse_checks().items() if k.name == COLUMN_TESTS}
    assert {k.asset_key.path[-1] for k in specs} == tested
    for key, spec in specs.items():
        record = pipeline_run.instance.get_latest_asset_check_evaluation_record(key)
        assert record is not None, f"{key.to_user_string()} was never evaluated"
        evaluation = record.evaluation
        assert evaluation.passed, f"{key.to_user_string()}: {evaluation.metadata}"
        assert evaluation.metadata["tests_run"].value == _declared(spec)


def test_the_warehouse_job_holds_the_column_checks_and_the_singular_tests(pipeline_run):
    from orchestration.definitions import defs

    job = defs().resolve_job_def("warehouse_job")
    assert set(job.asset_layer.asset_graph.asset_check_keys) == set(_warehouse_checks())


def test_a_check_only_run_tests_one_model_and_builds_nothing(pipeline_run):
    from orchestration.defs.dbt_models import warehouse_models
    from orchestration.warehouse.dbt_project import dbt_cli

    key = dg.AssetCheckKey(dg.AssetKey(["fct_carry_daily"]), COLUMN_TESTS)
    job = dg.define_asset_job("check_only", selection=dg.AssetSelection.checks(key))
    definitions = dg.Definitions(assets=[warehouse_models], jobs=[job],
                                 resources={"dbt": dbt_cli()})
    result = definitions.resolve_job_def("check_only").execute_in_process(
        instance=pipeline_run.instance)
    assert result.success
    assert result.get_asset_materialization_events() == []
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.asset_check_key == key and evaluation.passed
    spec = _warehouse_checks()[key]
    assert evaluation.metadata["tests_run"].value == _declared(spec)
    assert evaluation.metadata["test_scope"].value == "every row"
