"""User errors of the CLI: one or two lines on stderr, a non-zero exit, no traceback; ``--debug``
shows the traceback. Run in process (``cli.main``) with file-descriptor capture, so anything
Dagster or dbt would print to the terminal is seen too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
    pipeline_run: Any, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PERP_FRAGILITY_DATA_DIR", str(pipeline_run.data_dir))
    missing = pipeline_run.data_dir / "nope.csv"
    err = _fail(["import", "funding", str(missing), "--no-build"], capfd)
    assert str(missing) in err


@pytest.mark.parametrize(
    ("week", "expected"),
    [
        ("2026-W99", "2026-W99 does not exist: ISO year 2026 has weeks W01..W53"),
        ("2026w47", "did you mean 2026-W47?"),
        ("47", "week must look like 2026-W47"),
    ],
)
def test_report_rejects_a_bad_week_before_starting(
    week: str, expected: str, capfd: pytest.CaptureFixture[str]
) -> None:
    err = _fail(["report", "--week", week], capfd)
    assert expected in err


@pytest.mark.parametrize("week", ["2031-W01", "2026-W10"])
def test_report_of_a_week_without_data_lists_the_weeks_with_data(
    week: str,
    pipeline_run: Any,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PERP_FRAGILITY_DATA_DIR", str(pipeline_run.data_dir))
    monkeypatch.setenv("DAGSTER_HOME", str(pipeline_run.data_dir / "dagster_home"))
    err = _fail(["report", "--week", week], capfd)
    assert f"no data for {week}" in err
    assert "weeks with data: 2026-W44..2026-W47" in err


def test_report_without_a_warehouse_says_what_to_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration.commands.report_week import require_reportable

    monkeypatch.setenv("PERP_FRAGILITY_DATA_DIR", str(tmp_path))
    with pytest.raises(UserError, match="run `perp-fragility demo`"):
        require_reportable("2026-W47")


def test_describe_weeks_joins_consecutive_runs() -> None:
    from orchestration.commands.report_week import describe_weeks

    weeks = ["2026-W52", "2026-W53", "2027-W01", "2027-W03"]
    assert describe_weeks(weeks) == "2026-W52..2027-W01, 2027-W03"
    assert describe_weeks([]) == "none"
