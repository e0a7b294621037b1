"""The parent side of one measurement: spawn a fresh process, time it, sample its memory.

Two kinds of process are measured the same way: a benchmark child step
(``bench_pipeline.py --child STEP``, which reports its own work section and ``ru_maxrss`` in a
marked JSON line, see children.py) and the ``perp-fragility`` command line itself, as a user
runs it (``demo``, ``report --week``), whose work wall is its process wall. Every process gets
its own ``PERP_FRAGILITY_DATA_DIR`` and ``DAGSTER_HOME``, and never delivers a report.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from children import RESULT_MARK, ROOT

ENTRY_POINT = Path(__file__).resolve().with_name("bench_pipeline.py")
# years of simulated history: the child steps' daily partitions start in 2020, not on the
# demo window's first day (the CLI measurements keep the demo's own partitions)
HISTORY_FIRST_DATE = "2020-01-01"


@dataclass
class Sample:
    """One process run: process wall (start to exit) and what the process reported."""

    wall_s: float
    work_s: float
    rss_mib: float
    child_rss_mib: float
    tree_rss_mib: float
    parts: dict[str, float] = field(default_factory=dict)


@dataclass
class Measurement:
    """All repeats of one named measurement, and its medians. ``history_days`` is the
    history a daily run met (None for the other measurements)."""

    name: str
    detail: str
    history_days: int | None = None
    samples: list[Sample] = field(default_factory=list)

    def median(self, attr: str) -> float:
        return statistics.median(getattr(s, attr) for s in self.samples)

    def median_part(self, key: str) -> float | None:
        values = [s.parts[key] for s in self.samples if key in s.parts]
        return statistics.median(values) if values else None


def cli_command() -> list[str]:
    """``perp-fragility`` as installed beside this interpreter (``make install``), else the
    module: the measurement is the command a user types, start-up included."""
    script = Path(sys.executable).with_name("perp-fragility")
    return [str(script)] if script.exists() else [sys.executable, "-m", "orchestration.cli"]


def process_env(data_dir: Path, *, history: bool) -> dict[str, str]:
    """The environment of one measured process: its own data directory and instance, the
    simulated market, no delivery channel. ``history``: partitions from 2020 (child steps)
    rather than the demo window's (the CLI's default)."""
    env = dict(os.environ)
    env["PERP_FRAGILITY_DATA_DIR"] = str(data_dir)
    env["DAGSTER_HOME"] = str(data_dir / "dagster_home")
    env["PERP_FRAGILITY_SOURCE"] = "simulated"
    if history:
        env.setdefault("PERP_FRAGILITY_FIRST_DATE", HISTORY_FIRST_DATE)
    else:
        env.pop("PERP_FRAGILITY_FIRST_DATE", None)
    for key in [
        k
        for k in env
        if k.startswith("PERP_FRAGILITY_")
        and k.endswith(("_SMTP_HOST", "_WEBHOOK_URL", "_ARCHIVE_DIR"))
    ]:
        env.pop(key)  # the benchmark never delivers a report anywhere
    return env


class Bench:
    """Runs processes against data directories and collects measurements in order."""

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

    def _spawn(self, command: list[str], env: dict[str, str], label: str) -> tuple[float, int, str]:
        """Run ``command`` to its end: (process wall s, sampled peak tree RSS KiB, stdout).
        Its output goes to the log; a failure stops the benchmark with the log's path."""
        self.loads.append(os.getloadavg()[0])
        began = time.perf_counter()
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            child = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=err, text=True)
            tree_peak = 0
            while child.poll() is None:  # sample the whole process tree (Python + dbt)
                tree_peak = max(tree_peak, tree_rss_kib(child.pid))
                time.sleep(0.2)
            wall = time.perf_counter() - began
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read(), err.read()
        self.loads.append(os.getloadavg()[0])
        with self.log.open("a") as handle:
            handle.write(f"\n=== {label} rc={child.returncode} {wall:.1f}s\n")
            handle.write(stdout[-20000:])
            handle.write(stderr[-20000:])
        if child.returncode:
            raise SystemExit(f"benchmark step {label} failed; see {self.log}")
        return wall, tree_peak, stdout

    def run_child(self, data_dir: Path, step: str, **options: str) -> Sample:
        """One fresh benchmark child; the marked result line is parsed."""
        command = [
            sys.executable,
            str(ENTRY_POINT),
            "--child",
            step,
            "--extra-symbols",
            str(self.extra_symbols),
        ]
        for key, value in options.items():
            command += [f"--{key.replace('_', '-')}", value]
        label = f"{step} {options}"
        wall, tree_peak, stdout = self._spawn(command, process_env(data_dir, history=True), label)
        lines = [ln for ln in stdout.splitlines() if ln.startswith(RESULT_MARK)]
        if not lines:
            raise SystemExit(f"benchmark step {label} printed no result; see {self.log}")
        payload = json.loads(lines[-1][len(RESULT_MARK) :])
        return Sample(
            tree_rss_mib=tree_peak / 1024,
            wall_s=wall,
            work_s=payload.pop("work_s"),
            rss_mib=payload.pop("rss_mib"),
            child_rss_mib=payload.pop("child_rss_mib"),
            parts=payload,
        )

    def run_cli(self, data_dir: Path, arguments: list[str]) -> Sample:
        """``perp-fragility ARGUMENTS`` as a user runs it: work wall = process wall, memory
        the sampled process tree (the command reports nothing about itself)."""
        label = "perp-fragility " + " ".join(arguments)
        env = process_env(data_dir, history=False)
        wall, tree_peak, _ = self._spawn(cli_command() + arguments, env, label)
        tree = tree_peak / 1024
        return Sample(wall_s=wall, work_s=wall, rss_mib=tree, child_rss_mib=0.0, tree_rss_mib=tree)

    def _record(self, name: str, detail: str, history_days: int | None) -> Measurement:
        return self.measurements.setdefault(name, Measurement(name, detail, history_days))

    def _print(self, name: str, sample: Sample) -> None:
        print(
            f"  {name:<22} wall {sample.wall_s:7.2f} s  work {sample.work_s:7.2f} s  "
            f"peak rss python {sample.rss_mib:6.0f} MiB, process tree "
            f"{sample.tree_rss_mib:6.0f} MiB",
            flush=True,
        )

    def measure(
        self,
        name: str,
        detail: str,
        data_dir: Path,
        step: str,
        repeats: int,
        history_days: int | None = None,
        **options: str,
    ) -> Measurement:
        """``repeats`` samples of one child step, appended to the measurement ``name``."""
        measurement = self._record(name, detail, history_days)
        for _ in range(repeats):
            sample = self.run_child(data_dir, step, **options)
            measurement.samples.append(sample)
            self._print(name, sample)
        return measurement

    def measure_cli(
        self, name: str, detail: str, data_dir: Path, arguments: list[str], repeats: int
    ) -> Measurement:
        """``repeats`` runs of one command line, appended to the measurement ``name``."""
        measurement = self._record(name, detail, None)
        for _ in range(repeats):
            sample = self.run_cli(data_dir, arguments)
            measurement.samples.append(sample)
            self._print(name, sample)
        return measurement


def tree_rss_kib(pid: int) -> int:
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
