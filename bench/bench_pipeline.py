"""Benchmark: does the pipeline's cost grow with new data or with history? (issues 8, 16)

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
- ``render``: ``render_week`` alone on the built warehouse;
- ``demo_cold`` / ``demo_warm`` / ``report_warm`` / ``report_forced``: the ``perp-fragility``
  command line as a user runs it: ``demo`` (default window) in a fresh data directory, again
  warm, then ``report --week`` of the demo's last complete week, unchanged (skipped) and with
  ``--force`` (rendered) (``--skip-demo`` leaves them out).

The modules, one job each: children.py (the child steps), measure.py (spawn, time and sample
one process), scenario.py (which measurements, in which order), agreement.py (the peer
computes what the marts hold), targets.py (issue 16's targets: met / missed / n/a),
report_table.py (the Markdown); this file is the entry point and its options.

    .venv/bin/python bench/bench_pipeline.py --quick           # smoke: 90 days (plus the demo)
    .venv/bin/python bench/bench_pipeline.py                   # 5 years x 19 extra symbols
    .venv/bin/python bench/bench_pipeline.py --years 1 --extra-symbols 19

Results: ``bench/results/bench-<stamp>.json`` and ``.md`` (the tables, the targets last).
"""

from __future__ import annotations

import argparse
import json
import sys

import targets
from children import CHILD_STEPS, child_main
from report_table import to_markdown
from scenario import RESULTS_DIR, run_benchmark


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke: 90 days, no extra symbols, 1 repeat (the demo measurements keep their window)",
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
    parser.add_argument(
        "--skip-demo",
        action="store_true",
        help="leave out the warm demo and report measurements (their targets read n/a)",
    )
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
    result["targets"] = targets.as_dicts(targets.evaluate(result))
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
