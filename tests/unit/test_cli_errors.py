"""User errors of the CLI: one or two lines on stderr, a non-zero exit, no traceback; ``--debug``
shows the traceback. Run in process (``cli.main``) with file-descriptor capture, so anything
Dagster or dbt would print to the terminal is seen too."""

from __future__ import annotations

import pytest

from orchestration import cli
from orchestration.errors import UserError


def _fail(argv: list[str], capfd: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    out, err = capfd.readouterr()
    assert exit_info.value.code not in (0, None)
    text = out + err
    assert "Traceback" not in text
    lines = [line for line in err.splitlines() if line.strip()]
    assert 1 <= len(lines) <= 2, err
    return err


def test_unusable_data_dir_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PERP_FRAGILITY_DATA_DIR", "/proc/nope")
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    err = _fail(["demo"], capfd)
    assert "PERP_FRAGILITY_DATA_DIR=/proc/nope" in err


def test_debug_shows_the_traceback(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PERP_FRAGILITY_DATA_DIR", "/proc/nope")
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    with pytest.raises(UserError, match="PERP_FRAGILITY_DATA_DIR"):
        cli.main(["--debug", "demo"])


def test_missing_file_is_named(
    pipeline_run, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]  # noqa: ANN001
) -> None:
    monkeypatch.setenv("PERP_FRAGILITY_DATA_DIR", str(pipeline_run.data_dir))
    missing = pipeline_run.data_dir / "nope.csv"
    err = _fail(["import", "funding", str(missing), "--no-build"], capfd)
    assert str(missing) in err
