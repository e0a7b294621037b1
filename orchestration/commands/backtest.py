"""``perp-fragility backtest``: the index's track record on the history in the warehouse.

Reads ``fct_fragility_forward`` read-only (built by the pipeline or an import), scores it with
:mod:`orchestration.lib.backtest` and prints the tables; ``--json PATH`` also writes them.
Nothing is fitted or tuned here: the rules are the module constants of the library.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pandas as pd

from orchestration.lib.backtest import Backtest, format_tables, horizons_up_to, run_backtest

MART = "fct_fragility_forward"


def read_forward(warehouse: Path) -> pd.DataFrame:
    """Every row of the mart (a few hundred per asset and decade: small)."""
    import duckdb

    from orchestration.warehouse.warehouse_lock import warehouse_lock
    from reports.warehouse import open_warehouse_readonly

    with warehouse_lock(exclusive=False):
        conn = open_warehouse_readonly(warehouse)
        try:
            return conn.execute(f"select * from {MART} order by base_asset, iso_week").df()
        except duckdb.CatalogException as error:
            raise SystemExit(
                f"{warehouse} has no {MART}: build the warehouse first (perp-fragility "
                "rebuild-warehouse, or an import without --no-build)"
            ) from error
        finally:
            conn.close()


def backtest(warehouse: Path, horizon_weeks: int, json_path: Path | None = None) -> Backtest:
    """Score the mart and print (and optionally write) the result."""
    try:
        horizons = horizons_up_to(horizon_weeks)
    except ValueError as error:
        raise SystemExit(str(error)) from error
    try:
        frame = read_forward(warehouse)
    except FileNotFoundError as error:
        raise SystemExit(str(error)) from error
    if frame.empty or frame["fragility_index"].notna().sum() == 0:
        raise SystemExit(f"{MART} in {warehouse} has no scored week: nothing to back-test")
    result = run_backtest(frame, horizons)
    print(format_tables(result))
    if json_path is not None:
        try:
            json_path.parent.mkdir(parents=True, exist_ok=True)
            json_path.write_text(json.dumps(result.to_dict(), indent=2) + "\n")
        except OSError as error:
            raise SystemExit(f"cannot write {json_path}: {error.strerror or error}") from error
        print(f"\nwrote {json_path}")
    return result


def cmd_backtest(args: argparse.Namespace) -> None:
    from orchestration.commands.prepare import prepare
    from orchestration.lib import settings

    prepare()
    backtest(settings.warehouse_path(), args.horizon_weeks, args.json)


def register(sub: Any) -> None:
    """The subcommand's arguments on ``sub`` (the parser's subparsers; cli.py calls this)."""
    parser = sub.add_parser(
        "backtest",
        help="track record of the fragility index against forward drawdowns (from the warehouse)",
    )
    parser.add_argument("--horizon-weeks", type=int, default=4,
                        help="longest forward horizon scored: 1, 2 or 4 (default 4)")
    parser.add_argument("--json", type=Path, help="also write the result as JSON to this path")
    parser.set_defaults(func=cmd_backtest)
