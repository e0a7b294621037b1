"""Bulk history import: files in, the same raw Parquet layout the live source writes out.

APIs cap history (Binance open-interest history covers ~30 days), so older data comes from
files. :func:`import_files` runs every kind through one path:

1. check the inputs (a missing, 0-byte or data-less file stops the import with one line);
2. parse with the kind's parser (:data:`PARSERS`), lines that cannot be read become rejects;
3. screen every parsed row (:func:`orchestration.sources.importers.safety.screen`): an unconfigured
   venue or symbol, or a value the landing would refuse, becomes a reject with its reason;
4. refuse the whole import when anything was rejected, unless ``allow_rejects``: the rejects go
   to ``<data>/quarantine/import/<id>.csv`` and nothing lands, so a bad file cannot change the
   warehouse; otherwise land the valid rows as files of this import's id;
5. record the import (``<data>/imports/<id>.json``) so ``perp-fragility imports`` lists it and
   ``perp-fragility forget-import ID`` removes its files.

Kinds (one line each in :data:`PARSERS`):

=========================  ======================================================  ============
kind                       format                                                  datasets
=========================  ======================================================  ============
``funding``                ``venue,symbol,funding_ts,rate[,interval_hours]``       funding
``oi``                     ``venue,symbol,ts,oi_contracts,oi_usd[,oi_base,kind]``  open interest
``prices``                 ``venue,symbol,ts,close[,open,high,low,volume_base]``   daily candles
``binance-funding-archive`` data.binance.vision monthly ``fundingRate`` CSV/zip    funding
``binance-metrics``        data.binance.vision daily ``metrics`` CSV/zip           OI, L/S ratio
``binance-funding-export`` binance.com "Funding Rate History" download (``tz``)    funding
``liquidations``           ``venue,symbol,liquidated_at,side,price,amount_base``   liquidations
``binance-premium-index``  data.binance.vision monthly ``premiumIndexKlines`` 1h   premium index
``binance-mark-price``     data.binance.vision monthly ``markPriceKlines`` 1h      premium index
``binance-index-price``    data.binance.vision monthly ``indexPriceKlines`` 1h     premium index
``rates``                  FRED ``fredgraph.csv?id=DTB3`` (``observation_date,DTB3``)  rates
``staking``                ``date,asset,apr`` (decimal fraction per year)          rates
=========================  ======================================================  ============

A new kind is a module with a parser ``(paths, tz) -> Parsed`` and one line in
:data:`PARSERS`; the checks, quarantine, ids and undo above apply to it unchanged.
Idempotent: importing the same files again rewrites byte-identical partitions.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from orchestration.lib import settings
from orchestration.sources.importers import binance_klines, rates, records
from orchestration.sources.importers.binance import (
    parse_funding_archive,
    parse_funding_export,
    parse_metrics,
)
from orchestration.sources.importers.common import (
    ImportFormatError,
    ImportInputError,
    land_tables,
    write_rejects,
)
from orchestration.sources.importers.generic import parse_generic
from orchestration.sources.importers.liquidations import parse_liquidations
from orchestration.sources.importers.parsed import Parsed
from orchestration.sources.importers.safety import screen

Parser = Callable[[list[Path], str | None], Parsed]


def _without_tz(parse: Callable[[list[Path]], Parsed]) -> Parser:
    """A parser whose files carry their own UTC times (``--tz`` does not apply)."""
    return lambda paths, tz: parse(paths)


PARSERS: dict[str, Parser] = {
    "funding": lambda paths, tz: parse_generic("funding", paths),
    "oi": lambda paths, tz: parse_generic("oi", paths),
    "prices": lambda paths, tz: parse_generic("prices", paths),
    "binance-funding-archive": lambda paths, tz: parse_funding_archive(paths),
    "binance-metrics": lambda paths, tz: parse_metrics(paths),
    "binance-funding-export": lambda paths, tz: parse_funding_export(paths, tz=tz),
    "liquidations": lambda paths, tz: parse_liquidations(paths),
    "binance-premium-index": _without_tz(binance_klines.parser("binance-premium-index")),
    "binance-mark-price": _without_tz(binance_klines.parser("binance-mark-price")),
    "binance-index-price": _without_tz(binance_klines.parser("binance-index-price")),
    "rates": _without_tz(rates.parse_fred),
    "staking": _without_tz(rates.parse_staking),
}
"""kind -> parser. Register a new kind with one line here."""

KINDS: tuple[str, ...] = tuple(PARSERS)


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did.

    Attributes:
        import_id: the import's id (``<kind>-<digest>``), in its file names and record.
        kind: the import kind.
        files: the files read.
        rows_read: data lines read.
        rows_landed: rows written to raw partitions (all datasets); 0 when refused.
        rows_by_dataset: rows landed per raw dataset.
        rejected_by_reason: lines refused at parsing plus rows refused by the screening
            (unconfigured venue/symbol, failed validation), by reason.
        summarised: intraday points folded into daily snapshots (not lost: counted).
        days_touched: UTC days whose partitions were written.
        rejects_path: CSV of every rejected line/row with its reason, if any.
        refused: True when rejects stopped the import (nothing landed).
    """

    import_id: str
    kind: str
    files: tuple[str, ...]
    rows_read: int
    rows_landed: int
    rows_by_dataset: Mapping[str, int] = field(default_factory=dict)
    rejected_by_reason: Mapping[str, int] = field(default_factory=dict)
    summarised: int = 0
    days_touched: tuple[date, ...] = ()
    rejects_path: Path | None = None
    refused: bool = False

    @property
    def rejected(self) -> int:
        return sum(self.rejected_by_reason.values())

    def describe(self) -> str:
        """Human summary for the CLI."""
        span = (f"{self.days_touched[0]}..{self.days_touched[-1]} ({len(self.days_touched)} "
                "days)" if self.days_touched else "no days")
        head = (
            f"import {self.import_id}: REFUSED, nothing landed: {self.rejected} of "
            f"{self.rows_read} row(s) rejected (--allow-rejects lands the valid ones)"
            if self.refused
            else f"import {self.import_id}: {len(self.files)} file(s), {self.rows_read} row(s) "
            f"read, {self.rows_landed} landed over {span}, {self.rejected} rejected"
        )
        lines = [head + (f", {self.summarised} intraday point(s) summarised"
                         if self.summarised else "")]
        lines += [f"  landed {n} into {d}" for d, n in sorted(self.rows_by_dataset.items())]
        lines += [f"  rejected {n}: {r}" for r, n in sorted(self.rejected_by_reason.items())]
        if self.rejects_path:
            lines.append(f"  quarantine: {self.rejects_path}")
        return "\n".join(lines)


def _category(reason: str) -> str:
    """Reason without the offending value, so counts group (the rejects CSV keeps it)."""
    return re.sub(r"\s*('[^']*'|\"[^\"]*\")", "", reason).rstrip(": ").strip()


def check_inputs(paths: list[Path]) -> None:
    """Refuse missing, non-regular and 0-byte files before anything is read or written."""
    if not paths:
        raise ImportInputError("no files given")
    for path in paths:
        if not path.exists():
            raise ImportInputError(f"no such file: {path}")
        if not path.is_file():
            raise ImportInputError(f"not a file: {path}")
        if path.stat().st_size == 0:
            raise ImportInputError(f"{path} is empty (0 bytes): nothing to import")


def _parse(kind: str, paths: list[Path], tz: str | None) -> Parsed:
    parser = PARSERS.get(kind)
    if parser is None:
        raise ImportInputError(f"unknown import kind {kind!r}; choose one of {', '.join(KINDS)}")
    parsed = parser(paths, tz)
    if parsed.rows_read == 0:
        names = ", ".join(str(p) for p in paths)
        raise ImportInputError(f"{names}: no data rows (only a header, or blank lines)")
    return parsed


def import_files(
    kind: str,
    paths: list[Path],
    data_root: Path | None = None,
    *,
    tz: str | None = None,
    allow_rejects: bool = False,
    env: Mapping[str, str] | None = None,
) -> ImportReport:
    """Import ``paths`` of ``kind`` under ``data_root`` (default ``PERP_FRAGILITY_DATA_DIR``).

    ``tz`` is the time zone of a ``binance-funding-export`` (the website writes the browser's
    local time); other kinds carry their own offsets or are UTC by definition. ``env`` is the
    configuration to screen against (default ``os.environ``, see ``lib/universe.py``).
    Any reject refuses the whole import (nothing lands) unless ``allow_rejects``.

    Raises:
        ImportInputError: a file is missing, empty, without data rows, or not of ``kind``
            (:class:`ImportFormatError`); the attempt is recorded with status ``failed``.
    """
    root = data_root or settings.data_dir()
    paths = [Path(p) for p in paths]
    check_inputs(paths)
    ident = records.import_id(kind, paths, tz)
    previous = records.load(ident, root)
    if previous is not None:  # the same import again: replace its own files
        records.remove_files(previous, root)
    record = records.new_record(ident, kind, records.FAILED, paths, tz)
    try:
        parsed = _parse(kind, paths, tz)
    except ImportInputError as error:
        record.message = str(error)
        records.save(record, root)
        raise
    screened = screen(parsed, env)
    rejects = [*parsed.rejects, *screened.rejects]
    reasons: Counter[str] = Counter(_category(r.reason) for r in rejects)
    quarantine = write_rejects(ident, rejects, root)
    refused = bool(rejects) and not allow_rejects
    landed = land_tables(ident, {} if refused else screened.tables, root)
    record.status = records.REFUSED if refused else records.LANDED
    record.rows_read = parsed.rows_read
    record.rows_landed = landed.rows
    record.rows_by_dataset = landed.per_dataset
    record.rejected_by_reason = dict(reasons)
    record.first_day = landed.days[0].isoformat() if landed.days else None
    record.last_day = landed.days[-1].isoformat() if landed.days else None
    record.parts = [str(p.relative_to(root)) for p in landed.parts]
    record.quarantine = str(quarantine.relative_to(root)) if quarantine else None
    records.save(record, root)
    return ImportReport(
        import_id=ident,
        kind=kind,
        files=tuple(str(p) for p in paths),
        rows_read=parsed.rows_read,
        rows_landed=landed.rows,
        rows_by_dataset=landed.per_dataset,
        rejected_by_reason=dict(reasons),
        summarised=parsed.summarised,
        days_touched=landed.days,
        rejects_path=quarantine,
        refused=refused,
    )


__all__ = [
    "KINDS",
    "PARSERS",
    "ImportFormatError",
    "ImportInputError",
    "ImportReport",
    "check_inputs",
    "import_files",
]
