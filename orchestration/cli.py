"""``perp-fragility``: the command line of the pipeline.

Subcommands run the same Dagster jobs the schedules run, in process, against the instance in
``$DAGSTER_HOME`` (default ``<data dir>/dagster_home``), so ``make dev`` later shows every run
the CLI made. ``demo`` is the offline end-to-end path: land a fixed window of the simulated
market, build the warehouse, render the last complete week's PDF and print its path.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dagster import DagsterInstance

from orchestration.commands.prepare import prepare
from orchestration.lib.demo_window import DEMO_DAYS, DEMO_END, demo_start

# Step-level progress without Dagster's per-event DEBUG lines.
CONSOLE_INFO = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {text!r}") from exc


def _week(text: str) -> str:
    """``--week``: an ISO week that exists (``2026-W47``), checked before anything starts."""
    from orchestration.lib.weeks import week_monday

    try:
        week_monday(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    return text.strip()


def _definitions():  # noqa: ANN202 - dagster's Definitions, imported lazily for a fast --help
    from orchestration.definitions import defs

    return defs()


def _instance(instance: DagsterInstance | None) -> DagsterInstance:
    from dagster import DagsterInstance

    return instance or DagsterInstance.get()


def run_range(
    start: date,
    end: date,
    instance: DagsterInstance | None = None,
    *,
    run_config: dict | None = None,
) -> None:
    """Land [start, end] as one run of the daily job (single-run backfill), then rebuild the
    warehouse once, as the ``warehouse_after_landing`` sensor does under the daemon.
    ``run_config`` is merged into the landing run's config (resource settings)."""
    from orchestration.defs.partitions import FIRST_DATE_ENV, daily_partitions
    from orchestration.errors import UserError
    from orchestration.lib.run_tags import (
        ASSET_PARTITION_RANGE_END_TAG,
        ASSET_PARTITION_RANGE_START_TAG,
    )

    if end < start:
        raise UserError(f"--end {end} is before --start {start}")
    first = date.fromisoformat(daily_partitions.get_first_partition_key())
    if start < first:
        raise UserError(
            f"{start} is before the first daily partition {first}: "
            f"set {FIRST_DATE_ENV}={start} (for `make dev` too) to land earlier days"
        )
    job = _definitions().resolve_job_def("daily_market_job")
    tags = {
        ASSET_PARTITION_RANGE_START_TAG: start.isoformat(),
        ASSET_PARTITION_RANGE_END_TAG: end.isoformat(),
    }
    began = time.perf_counter()
    result = job.execute_in_process(
        instance=_instance(instance), tags=tags, run_config={**CONSOLE_INFO, **(run_config or {})}
    )
    if not result.success:
        raise SystemExit("daily_market_job failed: see the run in the Dagster UI (make dev)")
    landed = time.perf_counter()
    print(f"landed {start}..{end} in {landed - began:.1f} s")
    from orchestration.warehouse.incremental import LANDED_FROM_TAG

    build = _definitions().resolve_job_def("warehouse_job").execute_in_process(
        instance=_instance(instance),
        tags={"perp_fragility/landing_run": result.run_id, LANDED_FROM_TAG: start.isoformat()},
        run_config=CONSOLE_INFO,
    )
    if not build.success:
        raise SystemExit("warehouse_job (dbt build) failed: see the run in the Dagster UI")
    print(f"built the warehouse in {time.perf_counter() - landed:.1f} s")


def render_week(iso_week: str, instance: DagsterInstance | None = None) -> Path:
    """Run the weekly report job for ``iso_week``; print and return the PDF path.

    A week that cannot be reported (no data, not a partition) is a user error before the job
    runs (orchestration/commands/report_week.py)."""
    from orchestration.commands.report_week import require_reportable
    from orchestration.lib.weeks import report_path, week_partition_key

    require_reportable(iso_week)
    job = _definitions().resolve_job_def("weekly_report_job")
    result = job.execute_in_process(
        instance=_instance(instance),
        partition_key=week_partition_key(iso_week),
        run_config=CONSOLE_INFO,
    )
    if not result.success:
        raise SystemExit(f"weekly_report_job failed for {iso_week}")
    pdf_key = ["reports", "weekly_fragility_pdf"]
    meta = next(
        e.materialization.metadata
        for e in result.get_asset_materialization_events()
        if e.materialization.asset_key.path == pdf_key
    )
    for event in result.get_asset_materialization_events():
        if event.materialization.asset_key.path[-1] == "weekly_report_delivery":
            for channel, outcome in event.materialization.metadata["channels"].value.items():
                print(f"delivery {channel}: {outcome}")
    print(
        f"report {iso_week}: {meta['pages'].value} pages, rendered in "
        f"{meta['render_seconds'].value:.2f} s"
    )
    print(report_path(iso_week))
    return report_path(iso_week)


def cmd_demo(args: argparse.Namespace) -> None:
    from orchestration.lib.weeks import last_complete_week

    start = demo_start(args.end, args.days)
    prepare()
    run_range(start, args.end)
    render_week(last_complete_week(args.end))


def cmd_run(args: argparse.Namespace) -> None:
    from orchestration.commands import run as run_command

    run_command.apply_options(args)
    prepare()
    if run_command.is_live():
        run_command.check_live_sources()
    run_range(args.start, args.end, run_config=run_command.run_config(args))


def cmd_report(args: argparse.Namespace) -> None:
    prepare()
    render_week(args.week)


def cmd_backfill_cftc(args: argparse.Namespace) -> None:
    """The CFTC TFF history of the four CME crypto contracts, one command."""
    from orchestration.sources.reference.cftc_backfill import main as backfill_main

    prepare()
    code = backfill_main(args.rest)
    if code:
        raise SystemExit(code)


def cmd_prepare(args: argparse.Namespace) -> None:
    prepare()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="perp-fragility",
        description="Crypto-derivatives fragility pipeline (Dagster + dbt/DuckDB + PDF report).",
    )
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback of an error (before the command)"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="offline end-to-end run on the simulated market")
    demo.add_argument("--end", type=_date, default=DEMO_END, help=f"last day (default {DEMO_END})")
    demo.add_argument("--days", type=int, default=DEMO_DAYS, help="window length in days")
    demo.set_defaults(func=cmd_demo)

    run = sub.add_parser("run", help="materialise a date range of every daily asset")
    run.add_argument("--start", type=_date, required=True)
    run.add_argument("--end", type=_date, required=True)
    run.add_argument(
        "--source",
        choices=("simulated", "live"),
        default=None,
        help="market source (env PERP_FRAGILITY_SOURCE; default simulated)",
    )
    from orchestration.commands import run as run_command

    run_command.add_options(run)
    run.set_defaults(func=cmd_run)

    report = sub.add_parser("report", help="render the PDF of one ISO week")
    report.add_argument("--week", required=True, type=_week, help="ISO week, e.g. 2026-W47")
    report.set_defaults(func=cmd_report)

    from orchestration.commands.imports import register as register_imports

    register_imports(sub)  # import, imports, forget-import, rebuild-warehouse

    cftc = sub.add_parser(
        "backfill-cftc",
        help="download and land the CFTC TFF history (args: --from YEAR --to YEAR ...)",
        add_help=False,
    )
    cftc.add_argument("rest", nargs=argparse.REMAINDER)
    cftc.set_defaults(func=cmd_backfill_cftc)

    from orchestration.sources.liquidations import command as liquidations_command

    collect = sub.add_parser(
        "collect-liquidations", help="long-running liquidation stream collector (ccxt.pro)"
    )
    liquidations_command.add_arguments(collect)
    collect.set_defaults(func=liquidations_command.run)
    from orchestration.commands import backtest

    backtest.register(sub)

    prep = sub.add_parser("prepare", help="create data folders, instance and dbt manifest")
    prep.set_defaults(func=cmd_prepare)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """The one error boundary: a :class:`~orchestration.errors.UserError` (or a missing or
    unreadable file) prints one or two lines and exits non-zero; ``--debug`` re-raises it with
    its traceback. Anything else is a bug and keeps its traceback."""
    from orchestration.errors import USER_ERROR_EXIT, UserError

    args = build_parser().parse_args(argv)
    try:
        if getattr(args, "source", None):
            import os

            os.environ["PERP_FRAGILITY_SOURCE"] = args.source
        args.func(args)
    except (UserError, FileNotFoundError, PermissionError, IsADirectoryError) as exc:
        if args.debug:
            raise
        print(f"error: {_user_message(exc)}", file=sys.stderr)
        raise SystemExit(USER_ERROR_EXIT) from None


def _user_message(exc: Exception) -> str:
    """A file error names the file (``OSError.filename``), not Python's repr of the call."""
    if isinstance(exc, OSError) and exc.filename is not None:
        return f"{exc.strerror or type(exc).__name__}: {exc.filename}"
    return str(exc)


if __name__ == "__main__":
    main(sys.argv[1:])
