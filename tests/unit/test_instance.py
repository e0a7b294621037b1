"""The local instance's dagster.yaml: Dagster's documented storage only, and an older
generated file (naming the removed custom event log) replaced, never an operator's own."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from orchestration import instance

OLD_GENERATED = """\
# Written by perp-fragility; see docs/operations.md. Local SQLite storage, laid out as
event_log_storage:
  module: orchestration.event_storage
  class: BatchingSqliteEventLogStorage
  config:
    base_dir: /x/history/runs/
"""


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    return tmp_path / "dagster_home"


def test_a_new_instance_uses_dagster_s_documented_sqlite_storage(home: Path) -> None:
    config = yaml.safe_load((instance.ensure_dagster_home() / "dagster.yaml").read_text())
    assert config["storage"] == {"sqlite": {"base_dir": str(home.resolve())}}
    assert "event_log_storage" not in config and "run_storage" not in config
    assert config["concurrency"]["pools"]["default_limit"] == 1


def test_an_older_generated_file_is_replaced(home: Path) -> None:
    home.mkdir()
    (home / "dagster.yaml").write_text(OLD_GENERATED)
    text = (instance.ensure_dagster_home() / "dagster.yaml").read_text()
    assert "orchestration.event_storage" not in text and "storage:\n  sqlite:" in text


def test_an_operator_s_own_file_is_kept(home: Path) -> None:
    home.mkdir()
    own = "# mine\nstorage:\n  postgres:\n    postgres_url: postgresql://x\n"
    (home / "dagster.yaml").write_text(own)
    instance.ensure_dagster_home()
    assert (home / "dagster.yaml").read_text() == own
