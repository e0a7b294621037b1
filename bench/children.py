"""The child side of the benchmark: one measurement step per fresh Python process.

``bench_pipeline.py --child STEP`` lands here (through :func:`child_main`): the step runs in a
process of its own so its number includes what a scheduled run pays (interpreter start,
imports, Dagster definitions, dbt start-up), times its own work section and prints one marked
JSON line that the parent (measure.py) parses.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEED = 7
RESULT_MARK = "BENCH_RESULT "


def _rss_mib() -> tuple[float, float]:
    """(own peak RSS, largest waited-for child's peak RSS) in MiB; Linux reports KiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, kids


def _patch_simulated_source(extra_symbols: int) -> None:
    """Bind the simulated source with the benchmark's universe size.

    ``orchestration/defs/resources.py`` builds ``SimulatedMarketSource(seed=...)`` with the
    default universe; the benchmark needs ``extra_symbols_per_venue`` without touching the
    project, so it swaps the module's ``sources_from_env`` before the definitions load (the
    defs loader imports the already-imported module object and calls the swapped function).
    """
    import orchestration.defs.resources as resources_module
    from orchestration.resources.keys import DOMAIN_SOURCES
    from orchestration.resources.market_source import SimulatedMarketSource

    def sources_from_env() -> dict[str, SimulatedMarketSource]:
        simulated = SimulatedMarketSource(seed=SEED, extra_symbols_per_venue=extra_symbols)
        return {key: simulated for key in DOMAIN_SOURCES.values()}

    resources_module.sources_from_env = sources_from_env  # type: ignore[assignment]


def _dbt_build_all() -> None:
    """``dbt build`` of the whole project with the arguments the Dagster asset uses."""
    from orchestration.warehouse.dbt_project import dbt_cli

    dbt = dbt_cli()
    invocation = dbt.cli(["build", "--exclude", "resource_type:unit_test"], raise_on_error=False)
    invocation.wait()
    if not invocation.is_successful():
        raise SystemExit("dbt build failed")


def child_floor(_: argparse.Namespace) -> dict[str, Any]:
    """Start-up cost of the entry points with no data: what every run pays at least."""
    import dagster as dg
    from dagster import DagsterInstance

    from orchestration.commands.prepare import prepare
    from orchestration.definitions import defs
    from orchestration.warehouse.dbt_project import dbt_cli

    parts: dict[str, float] = {}
    mark = time.perf_counter()
    prepare()
    defs().resolve_job_def("daily_market_job")
    parts["defs_s"] = time.perf_counter() - mark

    @dg.asset
    def bench_noop() -> None:
        """Nothing: the Dagster run machinery (run storage, events, step launch) alone."""

    mark = time.perf_counter()
    result = dg.materialize([bench_noop], instance=DagsterInstance.get())
    assert result.success
    parts["dagster_run_s"] = time.perf_counter() - mark

    mark = time.perf_counter()
    dbt = dbt_cli()
    invocation = dbt.cli(["build", "--select", "tag:bench_selects_nothing"], raise_on_error=False)
    invocation.wait()
    parts["dbt_noop_s"] = time.perf_counter() - mark
    return parts


def child_landing(args: argparse.Namespace) -> dict[str, Any]:
    """Simulate and land days with direct library calls (no Dagster): raw-layer throughput."""
    from orchestration.landing.landing import ensure_schema_files, land_partition
    from orchestration.landing.raw_schemas import ALL_DATASETS
    from orchestration.sources.simulated import SimulationConfig, simulate_day

    ensure_schema_files()
    config = SimulationConfig(extra_symbols_per_venue=args.extra_symbols)
    first, last = date.fromisoformat(args.start), date.fromisoformat(args.end)
    simulate_s = land_s = 0.0
    rows = 0
    day = first
    while day <= last:
        mark = time.perf_counter()
        tables = simulate_day(day, SEED, config)
        simulate_s += time.perf_counter() - mark
        mark = time.perf_counter()
        for dataset in ALL_DATASETS:
            rows += land_partition(dataset, day, tables[dataset.name]).rows
        land_s += time.perf_counter() - mark
        day += timedelta(days=1)
    days = (last - first).days + 1
    return {"days": days, "rows": rows, "simulate_s": simulate_s, "land_s": land_s}


def child_dbt_full(_: argparse.Namespace) -> dict[str, Any]:
    """Drop the warehouse and ``dbt build`` it from raw Parquet (what the pandas peer races)."""
    from orchestration.commands.prepare import prepare
    from orchestration.lib import settings

    prepare()
    settings.warehouse_path().unlink(missing_ok=True)
    _dbt_build_all()
    return {}


def child_history(args: argparse.Namespace) -> dict[str, Any]:
    """Set up a history for a daily run: land it (library calls) and build the warehouse once,
    so the daily run that follows meets incremental models holding that history."""
    from orchestration.commands.prepare import prepare

    prepare()
    parts = child_landing(args)
    mark = time.perf_counter()
    _dbt_build_all()
    parts["dbt_build_s"] = time.perf_counter() - mark
    return parts


def child_run_range(args: argparse.Namespace) -> dict[str, Any]:
    """``run_range`` (land + dbt build through Dagster); optionally render a week after."""
    from orchestration import cli

    parts: dict[str, float] = {}
    cli.prepare()
    mark = time.perf_counter()
    cli.run_range(date.fromisoformat(args.start), date.fromisoformat(args.end))
    parts["run_range_s"] = time.perf_counter() - mark
    if args.week:
        mark = time.perf_counter()
        cli.render_week(args.week, force=True)
        parts["render_s"] = time.perf_counter() - mark
    return parts


def child_render(args: argparse.Namespace) -> dict[str, Any]:
    """The weekly report job alone, on a built warehouse (forced: the render, not its skip)."""
    from orchestration import cli

    cli.prepare()
    cli.render_week(args.week, force=True)
    return {}


def child_peer(args: argparse.Namespace) -> dict[str, Any]:
    """The pandas peer over the child's data directory."""
    sys.path.insert(0, str(ROOT / "bench"))
    import pandas_peer

    data_dir = Path(os.environ["PERP_FRAGILITY_DATA_DIR"])
    return pandas_peer.run(data_dir, Path(args.out))


CHILD_STEPS = {
    "floor": child_floor,
    "dbt_full": child_dbt_full,
    "history": child_history,
    "run_range": child_run_range,
    "render": child_render,
    "peer": child_peer,
}


def child_main(args: argparse.Namespace) -> int:
    """Run one step, print its result as one marked JSON line (the parent parses it)."""
    import logging

    logging.disable(logging.WARNING)
    sys.path.insert(0, str(ROOT))
    if args.step in ("floor", "run_range", "render"):
        _patch_simulated_source(args.extra_symbols)
    began = time.perf_counter()
    parts = CHILD_STEPS[args.step](args)
    work = time.perf_counter() - began
    own, kids = _rss_mib()
    payload = {"work_s": work, "rss_mib": own, "child_rss_mib": kids, **parts}
    print(RESULT_MARK + json.dumps(payload), flush=True)
    return 0
