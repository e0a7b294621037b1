"""A second ``demo`` over a window the instance already holds lands, builds and renders nothing
(orchestration/commands/demo.py, lib/report_inputs.py); another market or another dbt project
is not "the same"."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orchestration.commands import demo
from orchestration.warehouse import fingerprint
from tests.conftest import E2E_END, E2E_START, PipelineRun


def _runs_by_job(pipeline_run: PipelineRun) -> dict[str, int]:
    counts: dict[str, int] = {}
    for record in pipeline_run.instance.get_run_records():
        counts[record.dagster_run.job_name] = counts.get(record.dagster_run.job_name, 0) + 1
    return counts


def test_rerun_lands_and_builds_nothing(
    pipeline_run: PipelineRun, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    demo.run_demo(E2E_START, E2E_END, instance=pipeline_run.instance)  # brings it current
    before = _runs_by_job(pipeline_run)
    capsys.readouterr()
    demo.run_demo(E2E_START, E2E_END, instance=pipeline_run.instance)
    out = capsys.readouterr().out
    assert f"{E2E_START}..{E2E_END} already landed from this market" in out
    assert "the warehouse is current" in out
    assert "unchanged since its last render" in out
    after = _runs_by_job(pipeline_run)
    assert after.get("daily_market_job") == before.get("daily_market_job")
    assert after.get("warehouse_job") == before.get("warehouse_job")
    assert after.get("weekly_report_job") == before.get("weekly_report_job")
    assert pipeline_run.pdf.is_file()
    assert demo.warehouse_staleness(pipeline_run.instance) is None
    monkeypatch.setattr(fingerprint, "dbt_fingerprint", lambda: "an edited project")
    assert demo.warehouse_staleness(pipeline_run.instance) == demo.DBT_CHANGED


def test_missing_days_and_other_markets_are_seen(
    pipeline_run: PipelineRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    instance = pipeline_run.instance
    window = [E2E_START + timedelta(n) for n in range((E2E_END - E2E_START).days + 1)]
    before_window = E2E_START - timedelta(1)
    assert demo.unlanded_days(instance, [before_window, *window]) == [before_window]
    monkeypatch.setenv("PERP_FRAGILITY_SEED", "8")
    assert demo.unlanded_days(instance, window) == window
