"""Overlapping runs never fail on DuckDB's single-writer lock.

Three real processes share one data directory and one Dagster instance: two daily-job runs
over overlapping days (each lands raw Parquet and runs ``dbt build``) and a report render
that reads the warehouse. Without the warehouse lock one of them fails with
``Could not set lock on file``; with it, they queue and all succeed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.warehouse.warehouse_lock import warehouse_lock

CLI = [sys.executable, "-m", "orchestration.cli"]


def test_exclusive_lock_waits_and_times_out(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    with warehouse_lock(exclusive=True, path=warehouse):
        probe = (
            "from pathlib import Path;"
            "from orchestration.warehouse.warehouse_lock import (\n"
            "    WarehouseBusyError, warehouse_lock)\n"
            "try:\n"
            f"    with warehouse_lock(exclusive=False, timeout_s=0.5,"
            f" path=Path({str(warehouse)!r})):\n"
            "        print('acquired')\n"
            "except WarehouseBusyError:\n"
            "    print('busy')\n"
        )
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
        assert out.stdout.strip() == "busy"
    # released: shared holders coexist
    with warehouse_lock(exclusive=False, path=warehouse), warehouse_lock(
        exclusive=False, path=warehouse
    ):
        pass


@pytest.mark.e2e
def test_overlapping_runs_all_succeed(tmp_path, pipeline_run):
    # start from the session's landed data and warehouse (copied: the session keeps its own)
    data_dir = tmp_path / "data"
    shutil.copytree(
        pipeline_run.data_dir, data_dir, ignore=shutil.ignore_patterns("dagster_home")
    )
    env = {
        **os.environ,
        "PERP_FRAGILITY_DATA_DIR": str(data_dir),
        "DAGSTER_HOME": str(data_dir / "dagster_home"),
    }
    root = Path(__file__).resolve().parents[2]
    # the instance is created once, as on any installation, before runs overlap
    subprocess.run([*CLI, "prepare"], env=env, cwd=root, check=True, timeout=300)
    commands = [
        [*CLI, "run", "--start", "2026-11-21", "--end", "2026-11-22"],
        [*CLI, "run", "--start", "2026-11-22", "--end", "2026-11-22"],
        [*CLI, "report", "--week", "2026-W47"],
    ]
    procs = [
        subprocess.Popen(c, env=env, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for c in commands
    ]
    outputs = []
    for proc in procs:
        out, _ = proc.communicate(timeout=600)
        outputs.append((proc.returncode, out.decode(errors="replace")))
    for (code, out), command in zip(outputs, commands, strict=True):
        assert "Could not set lock" not in out
        assert code == 0, f"{command} failed:\n{out[-3000:]}"
    assert (data_dir / "reports" / "fragility-2026-W47.pdf").exists()
