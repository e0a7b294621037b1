"""The results as Markdown: the measurements table, the ratios, the peer's agreement and
the targets table; and the machine they were measured on."""

from __future__ import annotations

import os
import platform
import statistics
from pathlib import Path
from typing import Any

import targets


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
    """The results table, the headline ratios, the peer agreement and the targets table (last,
    so it ends the printed output), as pasted into docs/performance.md."""
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
        f"| pandas peer / dbt full build (process wall; issue 8 target >= 3) "
        f"| {peer / dbt_full:.2f} |"
    )
    if dailies:
        lines.append(
            f"| pandas full recompute / daily run ({dailies[-1][0]}; target >= 2 at 5 y) "
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
    lines += ["", "Targets (issue 16):", ""]
    lines += targets.to_markdown(targets.evaluate(result))
    return "\n".join(lines) + "\n"
