"""Which rows a routine build's data tests read, as the asset checks report it."""

from __future__ import annotations

import json
import os
from datetime import date

from orchestration.warehouse import incremental, test_window


def _manifest(tmp_path, model_columns: dict[str, list[str]]) -> object:
    nodes: dict[str, dict] = {}
    for model, columns in model_columns.items():
        nodes[f"model.p.{model}"] = {
            "resource_type": "model",
            "columns": {c: {} for c in columns},
        }
        nodes[f"test.p.not_null_{model}"] = {
            "resource_type": "test",
            "attached_node": f"model.p.{model}",
        }
    nodes["test.p.assert_singular"] = {"resource_type": "test", "attached_node": None}
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"nodes": nodes}))
    return path


def test_routine_window_is_the_lookback_before_the_high_water():
    assert incremental.routine_test_since(date(2026, 11, 21)) == date(2026, 11, 18)
    assert incremental.routine_test_since(None) is None


def test_the_window_starts_on_the_monday_of_its_week():
    assert test_window.window_monday(date(2026, 11, 18)) == date(2026, 11, 16)  # a Wednesday
    assert test_window.window_monday(date(2026, 11, 16)) == date(2026, 11, 16)


def test_tests_are_windowed_on_the_first_documented_time_column(tmp_path):
    path = _manifest(
        tmp_path,
        {
            "fct_weekly": ["iso_week", "week_end", "week_start"],
            "dim": ["venue"],
            "stg": ["hour_at"],
        },
    )
    windowed = test_window.windowed_tests(path)
    # week_start comes before week_end in test_window_columns
    assert windowed == {
        "test.p.not_null_fct_weekly": "week_start",
        "test.p.not_null_stg": "hour_at",
    }


def test_a_check_says_what_it_read(tmp_path):
    path = _manifest(tmp_path, {"fct": ["date"], "dim": ["venue"]})
    since = date(2026, 11, 18)
    windowed = test_window.check_scope(path, "test.p.not_null_fct", since)
    assert windowed == {
        "test_scope": "rows with date >= 2026-11-16 (routine incremental build)",
        "tested_since": "2026-11-16",
    }
    assert test_window.check_scope(path, "test.p.not_null_dim", since) == {
        "test_scope": "every row"
    }
    assert test_window.check_scope(path, "test.p.assert_singular", since) == {
        "test_scope": "every row"
    }
    assert test_window.check_scope(path, "test.p.not_null_fct", None) == {"test_scope": "every row"}


def test_the_window_reaches_dbt_only_during_the_call(monkeypatch):
    monkeypatch.setenv(test_window.TEST_SINCE_ENV, "2020-01-01")  # a stale value must not leak
    with test_window.tests_since(date(2026, 11, 18)):
        assert os.environ[test_window.TEST_SINCE_ENV] == "2026-11-18"
    assert test_window.TEST_SINCE_ENV not in os.environ
    monkeypatch.setenv(test_window.TEST_SINCE_ENV, "2020-01-01")
    with test_window.tests_since(None):  # a full refresh tests every row
        assert test_window.TEST_SINCE_ENV not in os.environ
