"""``perp-fragility``: the command line of the pipeline.

Subcommands run the same Dagster jobs the schedules run, in process, against the instance in
``$DAGSTER_HOME`` (default ``<data dir>/dagster_home``), so ``make dev`` later shows every run
the CLI made (orchestration/commands/pipeline.py). ``demo`` is the offline end-to-end path:
land a fixed window of the simulated market, build the warehouse, render the last complete
week's PDF and print its path; a re-run does only what changed (orchestration/commands/demo.py).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date

from orchestration.commands.pipeline import render_week, run_range
from orchestration.commands.prepare import prepare
from orchestration.lib.demo_window import DEMO_DAYS, DEMO_END, demo_start

__all__ = ["main", "render_week", "run_range"]  # run_range, render_week: for tests and bench


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


def cmd_demo(args: argparse.Namespace) -> None:
    from orchestration.commands.demo import run_demo

    prepare()
    run_demo(demo_start(args.end, args.days), args.end, force=args.force)


def cmd_run(args: argparse.Namespace) -> None:
    from orchestration.commands import run as run_command

    run_command.apply_options(args)
    prepare()
    if run_command.is_live():
        run_command.check_live_sources()
    run_range(args.start, args.end, run_config=run_command.run_config(args))


def cmd_report(args: argparse.Namespace) -> None:
    """A week whose PDF is current is answered before ``prepare`` and the definitions load."""
    from orchestration.commands.report_week import report_is_current

    if not args.force and report_is_current(args.week):
        return
    prepare()
    render_week(args.week, force=True)  # just found not current


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
    demo.add_argument("--force", action="store_true", help="land every day and rebuild the "
                      "warehouse again, even those this instance already holds")
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
    report.add_argument(
        "--force",
        action="store_true",
        help="render (and deliver) again even when nothing the PDF is made from has changed",
    )
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
