"""The demo's re-run rules that need no Dagster run: day folding and the dbt fingerprint."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

from orchestration.commands.demo import contiguous_runs
from orchestration.commands.pipeline import market_identity, market_settings
from orchestration.lib import settings
from orchestration.warehouse.fingerprint import dbt_fingerprint, dbt_source_files

D = date(2026, 11, 1)


def test_missing_days_fold_into_one_landing_run_per_gap() -> None:
    days = [D, D + timedelta(1), D + timedelta(2), D + timedelta(5), D + timedelta(9),
            D + timedelta(10)]
    assert list(contiguous_runs(list(reversed(days)))) == [
        (D, D + timedelta(2)),
        (D + timedelta(5), D + timedelta(5)),
        (D + timedelta(9), D + timedelta(10)),
    ]
    assert list(contiguous_runs([])) == []


def test_fingerprint_follows_content_not_location(tmp_path: Path) -> None:
    copy = tmp_path / "dbt_project"
    shutil.copytree(settings.DBT_PROJECT_DIR, copy, ignore=shutil.ignore_patterns(
        "target", "dbt_packages", "logs"))
    assert dbt_fingerprint(copy) == dbt_fingerprint()
    macro = copy / "macros" / "math.sql"
    macro.write_text(macro.read_text() + "\n-- an edit\n")
    assert dbt_fingerprint(copy) != dbt_fingerprint()
    assert macro in dbt_source_files(copy)


def test_market_identity_names_every_setting(monkeypatch) -> None:  # noqa: ANN001
    for name in market_settings():
        monkeypatch.delenv(name, raising=False)
    plain = market_identity()
    monkeypatch.setenv("PERP_FRAGILITY_SEED", "8")
    assert market_identity() != plain
    assert "PERP_FRAGILITY_SEED=8" in market_identity()
