"""Shared fixtures: one end-to-end pipeline run per session, in a temporary data directory."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

# Daily partitions start at PERP_FRAGILITY_FIRST_DATE (default: the demo window for the
# simulated source, defs/partitions.py). Tests land days from other years too (recorded 2025
# reference fixtures), and the partitions are fixed when the definitions are first imported,
# so the session opens them from 2020. test_ui_browser shows the default to the UI.
os.environ.setdefault("PERP_FRAGILITY_FIRST_DATE", "2020-01-01")

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
E2E_START = date(2026, 10, 26)  # four ISO weeks: 2026-W44 .. 2026-W47
E2E_END = date(2026, 11, 22)
E2E_WEEK = "2026-W47"


@dataclass(frozen=True)
class PipelineRun:
    data_dir: Path
    pdf: Path
    instance: object


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(
            f"real recorded data not found at {SHARED_DATA} (only in the project's workspace)"
        )
    return SHARED_DATA


@pytest.fixture(scope="session")
def pipeline_run(tmp_path_factory: pytest.TempPathFactory) -> PipelineRun:
    """Land four weeks of the simulated market, build the warehouse, render 2026-W47."""
    import dagster as dg

    from orchestration import cli

    data_dir = tmp_path_factory.mktemp("pipeline") / "data"
    saved = {k: os.environ.get(k) for k in ("PERP_FRAGILITY_DATA_DIR", "DAGSTER_HOME")}
    os.environ["PERP_FRAGILITY_DATA_DIR"] = str(data_dir)
    os.environ["DAGSTER_HOME"] = str(data_dir / "dagster_home")
    cli.prepare()
    instance = dg.DagsterInstance.ephemeral()
    cli.run_range(E2E_START, E2E_END, instance=instance)
    pdf = cli.render_week(E2E_WEEK, instance=instance)
    yield PipelineRun(data_dir=data_dir, pdf=pdf, instance=instance)
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """pytest-httpserver on 127.0.0.1 (not ``localhost``, which may resolve to ::1), free port."""
    return ("127.0.0.1", 0)


@pytest.fixture(autouse=True)
def no_retry_waits() -> Iterator[None]:
    """Retries on the shared policy (orchestration/lib/retry_policy.py) keep their attempt
    budget but wait 0 s in tests; a test that checks real sleeping turns this off with
    ``stamina.set_testing(False)``."""
    import stamina

    with stamina.set_testing(True, attempts=1000, cap=True):
        yield


# Settings the CLI writes into the environment (``run --venues/--symbols/--datasets/--api-url``,
# ``--source``) so that the definitions it loads see them: a test that calls the CLI in process
# must not leave them to the tests after it.
CLI_SETTINGS_ENV = (
    "PERP_FRAGILITY_VENUES",
    "PERP_FRAGILITY_SYMBOLS",
    "PERP_FRAGILITY_DATASETS",
    "PERP_FRAGILITY_API_URLS",
    "PERP_FRAGILITY_WS_URLS",
    "PERP_FRAGILITY_SOURCE",
)


@pytest.fixture(autouse=True)
def restore_cli_settings_env() -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in CLI_SETTINGS_ENV}
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
