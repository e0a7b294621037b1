"""Imported history reaches the index: the dbt lineage from each raw dataset the import kinds
land (binance-metrics: open interest and long/short; the kline archives: premium index; rates
and staking: rates) to the fragility marts and the back-test's mart."""

from __future__ import annotations

import json
from functools import cache

import pytest

from orchestration.warehouse.dbt_project import dbt_project

TARGETS = ("fct_fragility_weekly", "fct_fragility_daily", "fct_fragility_forward")


@cache
def _manifest() -> dict:
    if not dbt_project.manifest_path.exists():
        pytest.fail(f"no dbt manifest at {dbt_project.manifest_path}: run `make install` or "
                    "`perp-fragility prepare` first")
    return json.loads(dbt_project.manifest_path.read_text())


def _parents() -> dict[str, list[str]]:
    return _manifest()["parent_map"]


def _ancestors(node: str) -> set[str]:
    seen: set[str] = set()
    todo = [node]
    while todo:
        for parent in _parents().get(todo.pop(), []):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


@pytest.mark.parametrize("raw", ["open_interest", "long_short_ratio", "premium_index", "rates"])
@pytest.mark.parametrize("target", TARGETS)
def test_raw_dataset_reaches_the_index(raw: str, target: str) -> None:
    project = _manifest()["metadata"]["project_name"]
    assert f"source.{project}.raw.{raw}" in _ancestors(f"model.{project}.{target}")
