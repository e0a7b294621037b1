"""Shared plumbing of the bulk importers: parsed rows in, raw partitions out.

Every importer turns files into contract-shaped rows plus :class:`Reject` records (a line that
could not even be parsed: unreadable number, naive timestamp, ...). :func:`land_tables` groups
the rows by dataset, UTC day, venue and symbol and lands each group through
``landing.land_partition(part="import-<import id>-<venue>-<symbol>")``. So:

* importing the same file twice gives the same Parquet (same id, same files);
* importing two files that cover different hours of one day keeps both (two imports);
* the live source's ``part-0`` files and other imports' files are never touched.

Rows that parse but fail validation (NaN, negative, duplicate key, an unconfigured venue or
symbol, ...) are refused by :mod:`orchestration.sources.importers.safety` before anything lands;
rejects are written to ``<data>/quarantine/import/<import id>.csv``. Nothing read is dropped
without being counted.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyarrow as pa

from orchestration.landing import landing
from orchestration.landing.raw_schemas import DATASETS_BY_NAME
from orchestration.lib import settings

MINUTE = timedelta(minutes=1)
QUOTES = ("USDT", "USDC", "FDUSD", "BUSD", "USD")


class ImportInputError(ValueError):
    """An import cannot start: a file is missing, empty, or has no data rows (user error)."""


class ImportFormatError(ImportInputError):
    """The file is not in the format of the requested kind (wrong header, unknown name)."""


@dataclass(frozen=True, slots=True)
class Reject:
    """A line that could not be turned into a row."""

    file: str
    line: int
    reason: str
    text: str


def open_text(path: Path) -> Iterator[tuple[str, str]]:
    """(member name, text) of a CSV, or of each CSV inside a ``.zip`` (Binance ships zips).

    ``utf-8-sig`` strips the byte-order mark of Binance's website exports.
    """
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as archive:
            for name in sorted(archive.namelist()):
                if name.lower().endswith(".csv"):
                    yield name, archive.read(name).decode("utf-8-sig")
        return
    yield path.name, path.read_text(encoding="utf-8-sig")


def csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(1-based line number, cells) of non-empty CSV lines."""
    for number, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
        if cells and any(c.strip() for c in cells):
            yield number, [c.strip() for c in cells]


def parse_number(text: str | None) -> float | None:
    """Decimal text -> float (exactly the nearest float); '' -> None; NaN/inf kept as floats so
    the landing quarantines them with their reason. Raises ValueError on garbage."""
    if text is None or text.strip() == "":
        return None
    value = text.strip()
    try:
        return float(Decimal(value))
    except InvalidOperation as error:
        raise ValueError(f"not a number: {value!r}") from error


def parse_percent(text: str) -> float | None:
    """``"0.010000%"`` -> 0.0001 (decimal arithmetic: no binary drift)."""
    value = text.strip()
    if not value.endswith("%"):
        raise ValueError(f"not a percentage: {value!r}")
    try:
        return float(Decimal(value[:-1]).scaleb(-2))
    except InvalidOperation as error:
        raise ValueError(f"not a percentage: {value!r}") from error


def parse_aware_timestamp(text: str) -> datetime:
    """ISO-8601 *with* UTC offset -> aware UTC datetime. Naive values are refused: a time
    without its offset cannot be placed on the UTC day grid (real exports come in UTC+3 and
    UK local time)."""
    value = text.strip()
    if not value:
        raise ValueError("missing timestamp")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise ValueError(f"unparseable timestamp {value!r}") from error
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError("naive timestamp (no UTC offset)")
    return parsed.astimezone(UTC)


def epoch_ms(text: str) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=int(Decimal(text.strip())))


def round_minute(ts: datetime) -> datetime:
    """Settlement stamps carry millisecond jitter (``...00.008``); keys use whole minutes,
    as the live source does, so imports and live rows meet on the same key."""
    return (ts + MINUTE / 2).replace(second=0, microsecond=0)


def base_of(symbol: str) -> str:
    """Base asset of a ccxt unified symbol (``ETH/USDT:USDT`` -> ``ETH``)."""
    return symbol.split("/")[0].upper()


def binance_symbol(raw: str) -> tuple[str, str, str]:
    """Binance id -> (ccxt unified symbol, base asset, kind): ``BTCUSDT`` ->
    ``BTC/USDT:USDT``; ``BTCUSD_PERP`` -> ``BTC/USD:BTC`` (coin-margined); ``ETHUSDT_250328``
    -> ``ETH/USDT:USDT-250328`` (dated)."""
    ident = raw.strip().upper()
    pair, _, suffix = ident.partition("_")
    for quote in QUOTES:
        if pair.endswith(quote) and len(pair) > len(quote):
            base = pair[: -len(quote)]
            settle = base if quote == "USD" else quote
            symbol = f"{base}/{quote}:{settle}"
            if suffix and suffix != "PERP":
                if not re.fullmatch(r"\d{6}", suffix):
                    break
                return f"{symbol}-{suffix}", base, "dated"
            return symbol, base, "perp"
    raise ValueError(f"cannot read a Binance symbol from {raw!r}")


def snapshot_day(ts: datetime) -> date:
    """An end-of-day snapshot stamped 00:00 UTC of D+1 belongs to D (dbt's snapshot_date)."""
    return (ts - timedelta(microseconds=1)).date()


def row_day(dataset: str, row: dict[str, Any]) -> date:
    """The UTC day (partition) a row lands in, as the staging models date it."""
    if dataset == "funding_rates":
        return row["funding_ts"].date()
    if dataset in ("open_interest", "dated_futures"):
        return snapshot_day(row["ts"])
    if "liquidated_at" in row:
        return row["liquidated_at"].date()
    if "ts" in row:
        return row["ts"].date()
    for column in ("date", "report_date"):  # daily reference datasets (rates, ETF, CFTC)
        if column in row:
            return row[column]
    raise KeyError(f"{dataset}: no timestamp or date column to partition by")


def part_label(dataset: str, row: dict[str, Any]) -> str:
    """What tells one file of an import from another on the same day: venue and symbol, or
    the other key columns of a dataset without venues (``series``, ``ticker``, ...)."""
    spec = DATASETS_BY_NAME[dataset]
    names = ("venue", "symbol") if "venue" in spec.key else tuple(
        k for k in spec.key if isinstance(row.get(k), str))
    return "-".join(_slug(str(row.get(n) or "")) for n in names) or "all"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()


@dataclass(frozen=True, slots=True)
class Landed:
    rows: int
    days: tuple[date, ...]
    per_dataset: dict[str, int]
    parts: tuple[Path, ...]


def land_tables(ident: str, tables: dict[str, pa.Table], data_root: Path | None) -> Landed:
    """Land screened ``{dataset: table}`` as import ``ident``'s own files, one per (day,
    venue, symbol): ``part-import-<ident>-<venue>-<symbol>.parquet`` (datasets without venues:
    their other key columns, e.g. ``-usd-tbill-3m``). Other imports and the
    live ``part-0`` files are never read or touched; overlapping keys are resolved by the
    staging models' one-row-per-key rule."""
    root = data_root or settings.data_dir()
    groups: dict[tuple[str, date, str], list[dict[str, Any]]] = defaultdict(list)
    for dataset, table in tables.items():
        for row in table.to_pylist():
            groups[(dataset, row_day(dataset, row), part_label(dataset, row))].append(row)
    per_dataset: Counter[str] = Counter()
    days: set[date] = set()
    parts: list[Path] = []
    landed = 0
    for (dataset, day, label), items in sorted(groups.items()):
        spec = DATASETS_BY_NAME[dataset]
        part = f"import-{ident}-{label}"
        table = pa.Table.from_pylist(items, schema=spec.schema)
        result = landing.land_partition(spec, day, table, part=part, data_root=root)
        if result.rejected:  # screened before: a reject here is a bug, not bad input
            raise AssertionError(f"{dataset} {day}: landing rejected screened rows")
        landed += result.rows
        per_dataset[dataset] += result.rows
        days.add(day)
        parts.append(result.path)
    return Landed(landed, tuple(sorted(days)), dict(per_dataset), tuple(parts))


def write_rejects(ident: str, rejects: list[Reject], data_root: Path | None) -> Path | None:
    """Every refused line or row of import ``ident``, with its reason, as one CSV:
    ``<data>/quarantine/import/<ident>.csv`` (``file`` is the source file for lines that did
    not parse, the raw dataset for rows refused after parsing)."""
    root = data_root or settings.data_dir()
    target = root / "quarantine" / "import" / f"{ident}.csv"
    if not rejects:
        target.unlink(missing_ok=True)
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "line", "reason", "text"])
        for r in rejects:
            writer.writerow([r.file, r.line or "", r.reason, r.text])
    return target
