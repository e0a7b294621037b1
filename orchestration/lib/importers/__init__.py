"""Bulk history import: files in, the same raw Parquet layout the live source writes out.

APIs cap history (Binance open-interest history covers ~30 days), so older data comes from
files. :func:`import_files` parses them, lands them through ``landing.land_partition`` with a
``part="import-<kind>-<venue>-<symbol>"`` of their own, and reports what it did. Kinds:

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
=========================  ======================================================  ============

Idempotent: importing the same files again rewrites byte-identical partitions.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from orchestration.lib.importers.binance import (
    parse_funding_archive,
    parse_funding_export,
    parse_metrics,
)
from orchestration.lib.importers.common import ImportFormatError, land_rows, write_rejects
from orchestration.lib.importers.generic import parse_generic
from orchestration.lib.importers.liquidations import parse_liquidations
from orchestration.lib.importers.parsed import Parsed

KINDS: tuple[str, ...] = (
    "funding",
    "oi",
    "prices",
    "binance-funding-archive",
    "binance-metrics",
    "binance-funding-export",
    "liquidations",
)


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did.

    Attributes:
        kind: the import kind.
        files: the files read.
        rows_read: data lines read.
        rows_landed: rows written to raw partitions (all datasets).
        rows_by_dataset: rows landed per raw dataset.
        rejected_by_reason: lines refused at parsing plus rows the landing quarantined, by
            reason (e.g. ``naive timestamp (no UTC offset)``, ``non-finite rate``).
        summarised: intraday points folded into daily snapshots (not lost: counted).
        days_touched: UTC days whose partitions were written.
        rejects_path: CSV of the lines refused at parsing, if any.
    """

    kind: str
    files: tuple[str, ...]
    rows_read: int
    rows_landed: int
    rows_by_dataset: Mapping[str, int] = field(default_factory=dict)
    rejected_by_reason: Mapping[str, int] = field(default_factory=dict)
    summarised: int = 0
    days_touched: tuple[date, ...] = ()
    rejects_path: Path | None = None

    @property
    def rejected(self) -> int:
        return sum(self.rejected_by_reason.values())

    def describe(self) -> str:
        """Human summary for the CLI."""
        span = (f"{self.days_touched[0]}..{self.days_touched[-1]} ({len(self.days_touched)} "
                "days)" if self.days_touched else "no days")
        lines = [
            f"import {self.kind}: {len(self.files)} file(s), {self.rows_read} row(s) read, "
            f"{self.rows_landed} landed over {span}, {self.rejected} rejected"
            + (f", {self.summarised} intraday point(s) summarised" if self.summarised else ""),
        ]
        lines += [f"  landed {n} into {d}" for d, n in sorted(self.rows_by_dataset.items())]
        lines += [f"  rejected {n}: {r}" for r, n in sorted(self.rejected_by_reason.items())]
        if self.rejects_path:
            lines.append(f"  rejected lines: {self.rejects_path}")
        return "\n".join(lines)


def _category(reason: str) -> str:
    """Reason without the offending value, so counts group (the rejects CSV keeps it)."""
    return re.sub(r"\s*('[^']*'|\"[^\"]*\")", "", reason).rstrip(": ").strip()


def _parse(kind: str, paths: list[Path], tz: str | None) -> Parsed:
    if kind in ("funding", "oi", "prices"):
        return parse_generic(kind, paths)
    if kind == "binance-funding-archive":
        return parse_funding_archive(paths)
    if kind == "binance-metrics":
        return parse_metrics(paths)
    if kind == "binance-funding-export":
        return parse_funding_export(paths, tz=tz)
    if kind == "liquidations":
        return parse_liquidations(paths)
    raise ValueError(f"unknown import kind {kind!r}; choose one of {', '.join(KINDS)}")


def import_files(
    kind: str,
    paths: list[Path],
    data_root: Path | None = None,
    *,
    tz: str | None = None,
) -> ImportReport:
    """Land ``paths`` of ``kind`` under ``data_root`` (default ``PERP_FRAGILITY_DATA_DIR``).

    ``tz`` is the time zone of a ``binance-funding-export`` (the website writes the browser's
    local time); other kinds carry their own offsets or are UTC by definition.
    Raises :class:`ImportFormatError` when a file is not of ``kind``.
    """
    paths = [Path(p) for p in paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise FileNotFoundError(f"no such file(s): {', '.join(missing)}")
    parsed = _parse(kind, paths, tz)
    landed = land_rows(kind, parsed.rows, data_root)
    reasons: Counter[str] = Counter(_category(r.reason) for r in parsed.rejects)
    reasons.update(landed.rejected_by_reason)
    return ImportReport(
        kind=kind,
        files=tuple(str(p) for p in paths),
        rows_read=parsed.rows_read,
        rows_landed=landed.rows,
        rows_by_dataset=landed.per_dataset,
        rejected_by_reason=dict(reasons),
        summarised=parsed.summarised,
        days_touched=landed.days,
        rejects_path=write_rejects(kind, parsed.rejects, data_root),
    )


__all__ = ["KINDS", "ImportFormatError", "ImportReport", "import_files"]
