"""Benchmark: does the pipeline's cost grow with new data or with history? (issue 8)

Every measurement runs in a fresh Python subprocess with its own ``PERP_FRAGILITY_DATA_DIR``
and ``DAGSTER_HOME`` (a temporary directory), because a warm process would hide exactly what a
scheduled run pays: interpreter start, imports, Dagster definitions, dbt start-up. The parent
times the whole child (process wall) and the child times its own work section (work wall).
Memory: the child's own ``ru_maxrss`` (Python, Dagster) and the peak RSS of its whole process
tree (Python plus the ``dbt`` process dagster-dbt spawns), sampled from /proc every 0.2 s.

Measurements (see docs/performance.md for what each one is bounded by):

- ``floor``: the same entry points with no data work: prepare(), Dagster definitions load, one
  in-process Dagster run of a no-op asset, one ``dbt build`` whose selection matches nothing;
- ``history N d``: simulate + land N days with direct library calls (days/s), then one
  ``dbt build``: the state a daily run meets after N days (its incremental models full);
- ``first_build``: ``run_range(first, last)`` (one single-run backfill: land every partition
  and ``dbt build``) plus ``render_week`` of the last complete week, on an empty directory;
- ``daily@<history>``: ``run_range(d, d)`` for the day after ``history`` days were landed and
  built (1 month, 1 year and 5 years; ``--quick``: 1 month and 90 days); the long/short ratio
  is the headline;
- ``dbt_full`` vs ``pandas_full``: ``dbt build`` from raw Parquet into an empty warehouse and
  the pandas peer (bench/pandas_peer.py) over the same files, interleaved, same data;
- ``render``: ``render_week`` alone on the built warehouse.

    .venv/bin/python bench/bench_pipeline.py --quick           # CI smoke, < 5 minutes
    .venv/bin/python bench/bench_pipeline.py                   # 5 years x 19 extra symbols
    .venv/bin/python bench/bench_pipeline.py --years 1 --extra-symbols 19

Results: ``bench/results/bench-<stamp>.json`` and ``.md`` (a Markdown table).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = ROOT / "bench" / "results"
SEED = 7
END = date(2026, 11, 22)  # the demo's fixed end (a Sunday): results are reproducible
RESULT_MARK = "BENCH_RESULT "
HISTORIES_FULL = (("1 month", 30), ("1 year", 365), ("5 years", 1826))


# --------------------------------------------------------------------------------------------
# child side: one measurement per process


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

    from orchestration import cli
    from orchestration.warehouse.dbt_project import dbt_cli

    parts: dict[str, float] = {}
    mark = time.perf_counter()
    cli.prepare()
    cli._definitions().resolve_job_def("daily_market_job")
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
    from orchestration import cli
    from orchestration.lib import settings

    cli.prepare()
    settings.warehouse_path().unlink(missing_ok=True)
    _dbt_build_all()
    return {}


def child_history(args: argparse.Namespace) -> dict[str, Any]:
    """Set up a history for a daily run: land it (library calls) and build the warehouse once,
    so the daily run that follows meets incremental models holding that history."""
    from orchestration import cli

    cli.prepare()
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
        cli.render_week(args.week)
        parts["render_s"] = time.perf_counter() - mark
    return parts


def child_render(args: argparse.Namespace) -> dict[str, Any]:
    """The weekly report job alone, on a built warehouse."""
    from orchestration import cli

    cli.prepare()
    cli.render_week(args.week)
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


# --------------------------------------------------------------------------------------------
# parent side: scenarios, repeats, medians, tables


@dataclass
class Sample:
    """One child run: process wall (interpreter start to exit) and the child's own report."""

    wall_s: float
    work_s: float
    rss_mib: float
    child_rss_mib: float
    tree_rss_mib: float
    parts: dict[str, float] = field(default_factory=dict)


@dataclass
class Measurement:
    """All repeats of one named measurement, and its medians."""

    name: str
    detail: str
    samples: list[Sample] = field(default_factory=list)

    def median(self, attr: str) -> float:
        return statistics.median(getattr(s, attr) for s in self.samples)

    def median_part(self, key: str) -> float | None:
        values = [s.parts[key] for s in self.samples if key in s.parts]
        return statistics.median(values) if values else None


class Bench:
    """Runs children against data directories and collects measurements in order."""

    def __init__(self, workdir: Path, extra_symbols: int, log: Path) -> None:
        self.workdir = workdir
        self.extra_symbols = extra_symbols
        self.log = log
        self.measurements: dict[str, Measurement] = {}
        self.loads: list[float] = []

    def data_dir(self, name: str) -> Path:
        path = self.workdir / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def run_child(self, data_dir: Path, step: str, **options: str) -> Sample:
        """One fresh subprocess; its stdout/stderr go to the log, the result line is parsed."""
        env = dict(os.environ)
        env["PERP_FRAGILITY_DATA_DIR"] = str(data_dir)
        env["DAGSTER_HOME"] = str(data_dir / "dagster_home")
        env["PERP_FRAGILITY_SOURCE"] = "simulated"
        # years of simulated history: daily partitions from 2020, not the demo window
        env.setdefault("PERP_FRAGILITY_FIRST_DATE", "2020-01-01")
        for key in [
            k
            for k in env
            if k.startswith("PERP_FRAGILITY_")
            and k.endswith(("_SMTP_HOST", "_WEBHOOK_URL", "_ARCHIVE_DIR"))
        ]:
            env.pop(key)  # the benchmark never delivers a report anywhere
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            step,
            "--extra-symbols",
            str(self.extra_symbols),
        ]
        for key, value in options.items():
            command += [f"--{key.replace('_', '-')}", value]
        self.loads.append(os.getloadavg()[0])
        began = time.perf_counter()
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            child = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=err, text=True)
            tree_peak = 0
            while child.poll() is None:  # sample the whole process tree (Python + dbt)
                tree_peak = max(tree_peak, _tree_rss_kib(child.pid))
                time.sleep(0.2)
            wall = time.perf_counter() - began
            out.seek(0)
            err.seek(0)
            proc = subprocess.CompletedProcess(command, child.returncode, out.read(), err.read())
        self.loads.append(os.getloadavg()[0])
        with self.log.open("a") as handle:
            handle.write(f"\n=== {step} {options} rc={proc.returncode} {wall:.1f}s\n")
            handle.write(proc.stdout[-20000:])
            handle.write(proc.stderr[-20000:])
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(RESULT_MARK)]
        if proc.returncode or not lines:
            raise SystemExit(f"benchmark step {step} {options} failed; see {self.log}")
        payload = json.loads(lines[-1][len(RESULT_MARK) :])
        return Sample(
            tree_rss_mib=tree_peak / 1024,
            wall_s=wall,
            work_s=payload.pop("work_s"),
            rss_mib=payload.pop("rss_mib"),
            child_rss_mib=payload.pop("child_rss_mib"),
            parts=payload,
        )

    def measure(
        self, name: str, detail: str, data_dir: Path, step: str, repeats: int, **options: str
    ) -> Measurement:
        measurement = self.measurements.setdefault(name, Measurement(name, detail))
        for _ in range(repeats):
            sample = self.run_child(data_dir, step, **options)
            measurement.samples.append(sample)
            print(
                f"  {name:<22} wall {sample.wall_s:7.2f} s  work {sample.work_s:7.2f} s  "
                f"peak rss python {sample.rss_mib:6.0f} MiB, process tree "
                f"{sample.tree_rss_mib:6.0f} MiB",
                flush=True,
            )
        return measurement


def _tree_rss_kib(pid: int) -> int:
    """Current RSS of ``pid`` and all its descendants (KiB, from /proc; 0 when it is gone).

    ``ru_maxrss`` of the dbt grandchild is useless here: a forked child inherits the parent's
    high-water mark before ``exec``, so the tree is sampled instead (every 0.2 s: a lower
    bound of the true peak, close for steps that last seconds).
    """
    total = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    break
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return total


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
        agreement = check_agreement(full_dir, workdir / "peer")
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


def check_agreement(data_dir: Path, peer_dir: Path) -> list[dict[str, Any]]:
    """Compare a few peer numbers with the marts, to show both compute the same thing."""
    import duckdb
    import pandas as pd

    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    checks: list[dict[str, Any]] = []
    try:
        funding = pd.read_parquet(peer_dir / "funding_daily.parquet")
        basis = pd.read_parquet(peer_dir / "basis.parquet")
        oi = pd.read_parquet(peer_dir / "open_interest_daily.parquet")
        day = END - timedelta(days=3)
        for venue in ("binance", "okx", "hyperliquid"):
            for column in ("realised_apr_7d", "realised_apr_30d"):
                mart = con.execute(
                    f"select {column} from fct_funding_daily where date = ? and venue = ? "
                    "and base_asset = 'ETH'",
                    [day, venue],
                ).fetchone()
                peer = funding.loc[
                    (funding["date"] == pd.Timestamp(day))
                    & (funding["venue"] == venue)
                    & (funding["base_asset"] == "ETH"),
                    column,
                ]
                checks.append(
                    _compare(
                        f"fct_funding_daily.{column} {venue} ETH {day}",
                        mart[0] if mart else None,
                        float(peer.iloc[0]) if len(peer) else None,
                    )
                )
        # the first perp premium and the first dated annualised basis of the day
        for column, kind in (("premium_or_basis", "perp"), ("annualized_basis", "dated")):
            mart = con.execute(
                f"select venue, symbol, {column} from fct_basis where date = ? and kind = ? "
                f"and {column} is not null order by venue, symbol limit 1",
                [day, kind],
            ).fetchone()
            if mart:
                peer = basis.loc[
                    (basis["date"] == pd.Timestamp(day))
                    & (basis["venue"] == mart[0])
                    & (basis["symbol"] == mart[1]),
                    column,
                ]
                checks.append(
                    _compare(
                        f"fct_basis.{column} {mart[0]} {mart[1]} {day}",
                        mart[2],
                        float(peer.iloc[0]) if len(peer) else None,
                    )
                )
        mart = con.execute(
            "select sum(oi_usd) from fct_open_interest_daily where date = ? and kind = 'perp'",
            [day],
        ).fetchone()
        peer_sum = oi.loc[(oi["date"] == pd.Timestamp(day)) & (oi["kind"] == "perp"), "oi_usd"]
        checks.append(
            _compare(
                f"fct_open_interest_daily perp oi_usd total {day}",
                mart[0] if mart else None,
                float(peer_sum.sum()),
            )
        )
    finally:
        con.close()
    return checks


def _compare(label: str, mart: float | None, peer: float | None) -> dict[str, Any]:
    agree = (mart is None and peer is None) or (
        mart is not None and peer is not None and abs(mart - peer) <= 1e-9 * max(1.0, abs(mart))
    )
    return {"what": label, "mart": mart, "peer": peer, "agree": bool(agree)}


def machine() -> dict[str, Any]:
    """CPU count, memory, CPU model and kernel: enough to compare two result files."""
    mem = "?"
    cpu = platform.processor() or "?"
    try:
        mem = f"{int(Path('/proc/meminfo').read_text().split()[1]) / 2**20:.1f} GiB"
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "mem_total": mem,
        "cpu": cpu,
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def to_markdown(result: dict[str, Any]) -> str:
    """The results table plus the headline ratios, as pasted into docs/performance.md."""
    ms = result["measurements"]
    mc = result["machine"]
    la = result["load_avg_1m"]
    lines = [
        f"Run {result['stamp']}: {mc['nproc']} CPUs ({mc['cpu']}), {mc['mem_total']} RAM, "
        f"Python {mc['python']}; load average (1 min) during the run "
        f"{la['min']:.2f} / {la['median']:.2f} / {la['max']:.2f} (min / median / max).",
        f"History {result['history_days']} days ({result['first_day']}..{result['end_day']}), "
        f"extra symbols per venue and asset {result['args']['extra_symbols']}; raw Parquet "
        f"{result['raw_parquet_mib']:.1f} MiB, warehouse {result['warehouse_mib']:.1f} MiB; "
        f"whole benchmark {result['elapsed_s'] / 60:.1f} min.",
        "",
        "| measurement | what | n | process wall s (median) | work s (median) | "
        "peak RSS python MiB | peak RSS process tree MiB (sampled) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for name, m in ms.items():
        lines.append(
            f"| {name} | {m['detail']} | {len(m['samples'])} | {m['median_wall_s']:.2f} | "
            f"{m['median_work_s']:.2f} | {m['max_rss_mib']:.0f} | {m['max_tree_rss_mib']:.0f} |"
        )
    floor = ms["floor"]["median_wall_s"]
    dailies = [(n, m) for n, m in ms.items() if n.startswith("daily@")]
    lines += ["", "| ratio | value |", "|---|---:|"]
    if len(dailies) > 1:
        (short_n, short_m), (long_n, long_m) = dailies[0], dailies[-1]
        lines.append(
            f"| {long_n} / {short_n} (process wall; target <= 1.3 for 5 y / 1 month) "
            f"| {long_m['median_wall_s'] / short_m['median_wall_s']:.2f} |"
        )
        lines.append(
            f"| {long_n} / {short_n} (work wall) "
            f"| {long_m['median_work_s'] / short_m['median_work_s']:.2f} |"
        )
    for name, m in dailies:
        lines.append(
            f"| {name} / floor (process wall; target < 2 at 5 y) "
            f"| {m['median_wall_s'] / floor:.2f} |"
        )
    first_parts = [s["parts"] for s in ms["first_build"]["samples"]]
    histories = [m for n, m in ms.items() if n.startswith("history")]
    for m in histories:
        parts = m["samples"][0]["parts"]
        days = parts["days"]
        landing_s = parts["simulate_s"] + parts["land_s"]
        lines.append(
            f"| history setup, {days} days: landing days/s (simulate+land / land only), "
            f"then dbt build s | {days / landing_s:.1f} / {days / parts['land_s']:.1f}, "
            f"{parts['dbt_build_s']:.1f} |"
        )
    lines.append(
        f"| first build: run_range s / render s | "
        f"{statistics.median(p['run_range_s'] for p in first_parts):.1f} / "
        f"{statistics.median(p.get('render_s', 0.0) for p in first_parts):.1f} |"
    )
    dbt_full = ms["dbt_full"]["median_wall_s"]
    peer = ms["pandas_full"]["median_wall_s"]
    lines.append(
        f"| pandas peer / dbt full build (process wall; target >= 3) | {peer / dbt_full:.2f} |"
    )
    if dailies:
        lines.append(
            f"| pandas peer (full recompute) / {dailies[-1][0]} daily run "
            f"| {peer / dailies[-1][1]['median_wall_s']:.2f} |"
        )
    floor_parts = [s["parts"] for s in ms["floor"]["samples"]]
    breakdown = " / ".join(
        f"{statistics.median(p[k] for p in floor_parts):.2f}"
        for k in ("defs_s", "dagster_run_s", "dbt_noop_s")
    )
    lines.append(
        f"| floor breakdown: defs / no-op Dagster run / empty dbt build (s) | {breakdown} |"
    )
    lines += ["", "Agreement of the pandas peer with the marts:", ""]
    for check in result["agreement"]:
        lines.append(
            f"- {check['what']}: mart {check['mart']}, peer {check['peer']} -> "
            f"{'agree' if check['agree'] else 'DIFFER'}"
        )
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="CI smoke: 90 days, no extra symbols, 1 repeat (< 5 minutes)",
    )
    parser.add_argument("--years", type=float, default=5.0, help="history length (default 5)")
    parser.add_argument("--days", type=int, default=0, help="history in days (overrides --years)")
    parser.add_argument(
        "--extra-symbols",
        type=int,
        default=19,
        help="extra perps per venue and asset (default 19: 20 symbols each)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="repeats of the cheap steps")
    parser.add_argument(
        "--build-repeats", type=int, default=1, help="repeats of the first full build (default 1)"
    )
    parser.add_argument("--tmp", default=None, help="parent of the temporary data directories")
    parser.add_argument("--keep", action="store_true", help="keep the data directories")
    # child mode (internal)
    parser.add_argument("--child", choices=sorted(CHILD_STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--start", help=argparse.SUPPRESS)
    parser.add_argument("--end", help=argparse.SUPPRESS)
    parser.add_argument("--week", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.days, args.extra_symbols = 90, 0
        args.repeats = 1  # each child pays a ~30-50 s start-up floor on 2 cores
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        args.step = args.child
        return child_main(args)
    result = run_benchmark(args)
    markdown = to_markdown(result)
    json_path = RESULTS_DIR / f"bench-{result['stamp']}.json"
    json_path.write_text(json.dumps(result, indent=2, default=str))
    (RESULTS_DIR / f"bench-{result['stamp']}.md").write_text(markdown)
    print()
    print(markdown)
    print(f"results: {json_path} and .md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
