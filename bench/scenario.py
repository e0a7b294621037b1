"""The benchmark's scenario: which measurements run, in which order, on which data.

Order and data (see docs/performance.md for what each one is bounded by): the floor; the
first build of the whole history (its data directory is then the long history); per history
length a set-up (land + one build) and the daily run after it; dbt full build and the pandas
peer interleaved on the same files; render alone; then the command line as a user runs it,
``perp-fragility demo`` once cold in a fresh data directory and again warm, and a warm
``perp-fragility report --week`` of the demo's last complete week. Measurements that the
targets compare run side by side in this one run.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from agreement import check_agreement
from measure import Bench
from report_table import machine

ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = ROOT / "bench" / "results"
END = date(2026, 11, 22)  # the demo's fixed end (a Sunday): results are reproducible
HISTORIES_FULL = (("1 month", 30), ("1 year", 365), ("5 years", 1826))


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def run_benchmark(args: argparse.Namespace) -> dict[str, Any]:
    """The scenario: floor, landing, first build, daily runs by history, peer race, render."""
    history_days = args.days or int(round(args.years * 365.25))
    histories = [(label, d) for label, d in HISTORIES_FULL if d < history_days]
    histories.append((f"{history_days} d (all)", history_days))
    first = END - timedelta(days=history_days - 1)
    week = _iso_week(END)  # END is a Sunday: its week is complete
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    log = RESULTS_DIR / f"bench-{stamp}.log"
    workdir = Path(tempfile.mkdtemp(prefix="perp-bench-", dir=args.tmp))
    bench = Bench(workdir, args.extra_symbols, log)
    began = time.perf_counter()
    print(
        f"history {history_days} days ({first}..{END}), extra symbols {args.extra_symbols}, "
        f"repeats {args.repeats}; work in {workdir}; log {log}",
        flush=True,
    )
    try:
        floor_dir = bench.data_dir("floor")
        bench.measure(
            "floor",
            "prepare + defs load + no-op Dagster run + empty dbt build",
            floor_dir,
            "floor",
            args.repeats,
        )

        full_dir = bench.data_dir("full")
        bench.measure(
            "first_build",
            f"run_range {first}..{END} ({history_days} partitions) + render {week}",
            full_dir,
            "run_range",
            args.build_repeats if args.build_repeats else 1,
            start=first.isoformat(),
            end=END.isoformat(),
            week=week,
        )

        next_day = END + timedelta(days=1)
        for label, days in histories:
            if days == history_days:
                data_dir = full_dir
            else:
                data_dir = bench.data_dir(f"hist{days}")
                start = END - timedelta(days=days - 1)
                bench.measure(
                    f"history {days} d",
                    "simulate + land (library calls), then one dbt build",
                    data_dir,
                    "history",
                    1,
                    start=start.isoformat(),
                    end=END.isoformat(),
                )
            bench.measure(
                f"daily@{label}",
                f"run_range {next_day} after {days} days",
                data_dir,
                "run_range",
                args.repeats,
                history_days=days,
                start=next_day.isoformat(),
                end=next_day.isoformat(),
            )

        # dbt versus pandas on the same files (history + the daily day), interleaved so load
        # drift hits both alike.
        for _ in range(args.repeats):
            bench.measure(
                "dbt_full",
                f"dbt build of {history_days + 1} days, empty warehouse",
                full_dir,
                "dbt_full",
                1,
            )
            bench.measure(
                "pandas_full",
                f"pandas peer over {history_days + 1} days",
                full_dir,
                "peer",
                1,
                out=str(workdir / "peer"),
            )
        if not args.quick:  # quick mode reads render time off the first build instead
            bench.measure(
                "render", f"render_week {week}", full_dir, "render", args.repeats, week=week
            )
        if not args.skip_demo:
            measure_demo(bench, args.repeats)
        agreement = check_agreement(full_dir, workdir / "peer", END - timedelta(days=3))
        landed_bytes = sum(p.stat().st_size for p in (full_dir / "raw").rglob("*.parquet"))
        warehouse_bytes = (full_dir / "warehouse.duckdb").stat().st_size
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return {
        "stamp": stamp,
        "args": vars(args),
        "history_days": history_days,
        "first_day": first.isoformat(),
        "end_day": END.isoformat(),
        "elapsed_s": time.perf_counter() - began,
        "machine": machine(),
        "load_avg_1m": {
            "min": min(bench.loads),
            "median": statistics.median(bench.loads),
            "max": max(bench.loads),
        },
        "raw_parquet_mib": landed_bytes / 2**20,
        "warehouse_mib": warehouse_bytes / 2**20,
        "agreement": agreement,
        "measurements": {
            name: {
                "detail": m.detail,
                "history_days": m.history_days,
                "samples": [asdict(s) for s in m.samples],
                "median_wall_s": m.median("wall_s"),
                "median_work_s": m.median("work_s"),
                "max_rss_mib": max(s.rss_mib for s in m.samples),
                "max_tree_rss_mib": max(s.tree_rss_mib for s in m.samples),
            }
            for name, m in bench.measurements.items()
        },
        "log": str(log),
    }


def measure_demo(bench: Bench, repeats: int) -> None:
    """The command line as a user runs it, on the demo's default window (DEMO_DAYS days to
    DEMO_END, the default universe): ``perp-fragility demo`` once in a fresh data directory
    (cold: empty instance, first dbt parse), then ``repeats`` warm runs in the same directory,
    then ``repeats`` warm ``report --week`` of the demo's last complete week (nothing changed:
    the render is skipped) and ``repeats`` with ``--force`` (the full render)."""
    from orchestration.lib.demo_window import DEMO_DAYS, DEMO_END
    from orchestration.lib.weeks import last_complete_week

    demo_dir = bench.data_dir("demo")
    window = f"{DEMO_DAYS} days to {DEMO_END}"
    bench.measure_cli(
        "demo_cold", f"perp-fragility demo ({window}), fresh data dir", demo_dir, ["demo"], 1
    )
    bench.measure_cli(
        "demo_warm", f"perp-fragility demo ({window}), warm", demo_dir, ["demo"], repeats
    )
    week = last_complete_week(DEMO_END)
    bench.measure_cli(
        "report_warm",
        f"perp-fragility report --week {week}, after the demo",
        demo_dir,
        ["report", "--week", week],
        repeats,
    )
    bench.measure_cli(
        "report_forced",
        f"perp-fragility report --week {week} --force (renders again)",
        demo_dir,
        ["report", "--week", week, "--force"],
        repeats,
    )
