"""``perp-fragility import | imports | forget-import | rebuild-warehouse``.

Each command runs Dagster jobs in process against the instance in ``$DAGSTER_HOME`` (see
``orchestration/defs/imports.py``), so imports, withdrawals and rebuilds show in the UI with
their materialisations and checks. Exit status: 0 when every row landed (or ``--allow-rejects``
was given); 1 when rows were rejected and the import was refused (counts per reason and the
quarantine file are printed; nothing landed); 2 for an input the import cannot start from (a
missing, 0-byte or data-less file, a file of another kind, an unknown import id): one line on
stderr, no traceback.
"""

from __future__ import annotations

import argparse
import sys
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from dagster import DagsterInstance

    from orchestration.sources.importers.records import ImportRecord

# The command prints its own summary; the run's events (and a refused import's failure) stay
# in the instance for the UI, without a stack trace on the terminal.
QUIET_CONSOLE = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
REFUSED_EXIT = 1
INPUT_EXIT = 2


def _fail(message: str, code: int = INPUT_EXIT) -> NoReturn:
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(code)


@cache
def _definitions():  # noqa: ANN202 - dagster's Definitions, imported lazily for a fast --help
    from orchestration.definitions import defs

    return defs()


def _job(name: str):  # noqa: ANN202 - a dagster JobDefinition
    return _definitions().resolve_job_def(name)


def _prepare() -> None:
    """``prepare`` (it writes the coverage plan), a configuration error in one line."""
    from orchestration.commands.prepare import prepare
    from orchestration.lib.universe import UniverseError

    try:
        prepare()
    except UniverseError as error:
        _fail(str(error))


def _instance(instance: DagsterInstance | None) -> DagsterInstance:
    from dagster import DagsterInstance

    return instance or DagsterInstance.get()


def summary(record: ImportRecord) -> str:
    """What an import did, from its record (the same text whether it landed or not)."""
    span = (f" over {record.first_day}..{record.last_day}" if record.first_day else "")
    rejected = sum(record.rejected_by_reason.values())
    if record.status == "refused":
        head = (f"import {record.id}: REFUSED, nothing landed: {rejected} of "
                f"{record.rows_read} row(s) rejected (--allow-rejects lands the valid ones)")
    else:
        head = (f"import {record.id}: {record.rows_read} row(s) read, {record.rows_landed} "
                f"landed{span}, {rejected} rejected")
    lines = [head]
    lines += [f"  landed {n} into raw.{d}" for d, n in sorted(record.rows_by_dataset.items())]
    lines += [f"  rejected {n}: {r}" for r, n in sorted(record.rejected_by_reason.items())]
    if record.quarantine:
        from orchestration.lib import settings

        lines.append(f"  quarantine: {settings.data_dir() / record.quarantine}")
    return "\n".join(lines)


def rebuild(instance: DagsterInstance | None = None) -> None:
    """Full-refresh build of every model plus the raw completeness checks, as a Dagster run."""
    from orchestration.defs.imports import FULL_REFRESH
    from orchestration.landing.coverage import write_plan

    write_plan()
    result = _job("warehouse_rebuild_job").execute_in_process(
        instance=_instance(instance), run_config={**FULL_REFRESH, **QUIET_CONSOLE},
        raise_on_error=False,
    )
    if not result.success:
        _fail(f"warehouse_rebuild_job failed (run {result.run_id}): see the run in the "
              "Dagster UI (make dev)", 1)
    print(f"rebuilt the warehouse (run {result.run_id})")


def run_import(
    kind: str,
    files: list[Path],
    *,
    tz: str | None = None,
    allow_rejects: bool = False,
    build: bool = True,
    instance: DagsterInstance | None = None,
) -> ImportRecord:
    """Import ``files`` as one Dagster run; rebuild the warehouse when rows landed."""
    from orchestration.sources.importers import ImportInputError, check_inputs
    from orchestration.sources.importers.records import import_id, load

    files = [Path(f).expanduser().resolve() for f in files]
    try:
        check_inputs(files)
    except ImportInputError as error:
        _fail(str(error))
    ident = import_id(kind, files, tz)
    result = _job("import_job").execute_in_process(
        instance=_instance(instance),
        run_config={
            "ops": {"land_import": {"config": {
                "kind": kind, "files": [str(f) for f in files], "tz": tz,
                "allow_rejects": allow_rejects,
            }}},
            **QUIET_CONSOLE,
        },
        tags={"perp_fragility/import_id": ident},
        raise_on_error=False,
    )
    record = load(ident)
    if record is None:
        _fail(f"import_job failed (run {result.run_id}): see the run in the Dagster UI", 1)
    if record.status == "failed":
        _fail(record.message)
    print(summary(record))
    print(f"import id: {record.id} (run {result.run_id})")
    if record.status == "refused":
        raise SystemExit(REFUSED_EXIT)
    if build and record.rows_landed:
        rebuild(instance)
    return record


def cmd_import(args: argparse.Namespace) -> None:
    """Land history files (one import, with an id) and rebuild the warehouse."""
    from orchestration.sources.importers import ImportInputError, check_inputs

    try:  # before prepare(): a wrong path is answered at once
        check_inputs([Path(f) for f in args.files])
    except ImportInputError as error:
        _fail(str(error))
    _prepare()
    if args.kind == "etf-flows":
        _import_etf_flows(args)
        return
    run_import(args.kind, args.files, tz=args.tz, allow_rejects=args.allow_rejects,
               build=not args.no_build)


def _import_etf_flows(args: argparse.Namespace) -> None:
    """Farside's wide ETF CSVs (no venues or symbols: the reference importer's own checks)."""
    from orchestration.sources.reference.etf_flows import import_wide_csvs

    if not args.asset:
        _fail("import etf-flows needs --asset ETH or --asset BTC")
    results = import_wide_csvs([(path, args.asset) for path in args.files])
    for path, result in zip(args.files, results, strict=True):
        print(
            f"import etf-flows {path}: {result.table.num_rows} rows, "
            f"{result.flagged_count} day(s) whose Total differs from the tickers' sum"
        )
    if not args.no_build:
        rebuild()


def cmd_imports(args: argparse.Namespace) -> None:
    """List recorded imports, oldest first."""
    from orchestration.sources.importers.records import all_records

    records = all_records()
    if not records:
        print("no imports recorded")
        return
    print(f"{'id':<40} {'status':<8} {'created (UTC)':<25} {'rows':>8}  days  files")
    for r in records:
        days = f"{r.first_day}..{r.last_day}" if r.first_day else "-"
        names = ", ".join(Path(str(f["path"])).name for f in r.files)
        print(f"{r.id:<40} {r.status:<8} {r.created_at:<25} {r.rows_landed:>8}  {days}  {names}")


def cmd_forget_import(args: argparse.Namespace) -> None:
    """Remove one import's files (as a Dagster run) and rebuild the warehouse."""
    from orchestration.sources.importers.records import load

    _prepare()
    record = load(args.import_id)
    if record is None:
        _fail(f"no import {args.import_id!r}; `perp-fragility imports` lists them")
    result = _job("forget_import_job").execute_in_process(
        instance=_instance(None),
        run_config={"ops": {"remove_import": {"config": {"import_id": record.id}}},
                    **QUIET_CONSOLE},
        tags={"perp_fragility/import_id": record.id},
        raise_on_error=False,
    )
    if not result.success:
        _fail(f"forget_import_job failed (run {result.run_id}): see the Dagster UI", 1)
    print(f"forgot import {record.id}: removed {len(record.parts)} file(s), "
          f"{record.rows_landed} row(s) (run {result.run_id})")
    if not args.no_build:
        rebuild()


def cmd_rebuild_warehouse(args: argparse.Namespace) -> None:
    """Drop the warehouse and rebuild it from the raw Parquet alone (nothing is re-fetched)."""
    from orchestration.lib import settings
    from orchestration.warehouse.warehouse_lock import warehouse_lock

    _prepare()
    with warehouse_lock(exclusive=True):
        settings.warehouse_path().unlink(missing_ok=True)
    rebuild()
    print(settings.warehouse_path())


def register(sub: argparse._SubParsersAction) -> None:  # noqa: SLF001 - argparse's own type
    """Add ``import``, ``imports``, ``forget-import`` and ``rebuild-warehouse`` to the CLI."""
    from orchestration.sources.importers import KINDS

    imp = sub.add_parser(
        "import",
        help="land history files (funding, oi, prices, Binance archives, ETF CSV) and rebuild",
    )
    imp.add_argument("kind", choices=(*KINDS, "etf-flows"))
    imp.add_argument("files", nargs="+", type=Path)
    imp.add_argument("--tz", help="time zone of a binance-funding-export (e.g. Europe/London)")
    imp.add_argument("--asset", choices=("ETH", "BTC"), help="base asset of an etf-flows CSV")
    imp.add_argument("--allow-rejects", action="store_true",
                     help="land the valid rows even when some are rejected (exit 0)")
    imp.add_argument("--no-build", action="store_true", help="land only; skip the dbt rebuild")
    imp.set_defaults(func=cmd_import)

    listing = sub.add_parser("imports", help="list recorded imports (id, status, rows, days)")
    listing.set_defaults(func=cmd_imports)

    forget = sub.add_parser("forget-import", help="remove one import's files and rebuild")
    forget.add_argument("import_id", metavar="ID")
    forget.add_argument("--no-build", action="store_true", help="skip the dbt rebuild")
    forget.set_defaults(func=cmd_forget_import)

    rebuild_cmd = sub.add_parser("rebuild-warehouse", help="rebuild DuckDB from raw Parquet")
    rebuild_cmd.set_defaults(func=cmd_rebuild_warehouse)
