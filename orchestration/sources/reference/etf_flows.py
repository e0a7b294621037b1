"""US spot BTC and ETH ETF daily net flows (US$ m) in Farside's wide layout: one column per
ticker and a Total column, one row per US trading day.

Two inputs share one core:

- the live HTML tables (``https://farside.co.uk/btc/`` and ``/eth/``; the full history is on
  ``/bitcoin-etf-flow-all-data/`` and ``/ethereum-etf-flow-all-data/``): multi-row headers
  (issuer, ticker, fee), ``-`` for "not yet reported", ``(12.3)`` for -12.3, thousands
  separators, and summary rows (Total, Average, Maximum, Minimum) under the daily rows;
- CSV files in the same wide layout (``date,IBIT,FBTC,...,Total``), e.g. the recorded files in
  ``../shared/data/etf-flows-farside/``.

"Not yet reported" is not zero: a ``-`` becomes a null flow with ``is_reported = False``.
Every Total column is checked against the sum of the tickers on its row; a mismatch is
reported (count and dates) and the per-ticker values are kept, because the tickers are the
primary data and a bad total is usually a scraping artefact (the recorded ETH file's
``Total`` is exactly twice the true total).

Zeros in the recorded CSVs: that scraper wrote ``0.0`` for ``-`` and zero-filled weekends, so
a CSV ``0.0`` cannot be told from a real zero. The import therefore (1) drops rows that are
not NYSE trading days (weekends, holidays, the 2025-01-09 closure), (2) marks the trailing
run of all-zero rows at the end of a file as not reported (the last day was scraped before
the issuers reported, e.g. BTC 2025-09-03), and (3) keeps every other ``0.0`` as a reported
zero, listing all-zero trading days in :attr:`FlowParseResult.all_zero_days` for review
(genuine zero-flow days exist, e.g. ETH ETFs in autumn 2024).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa

from orchestration.landing import landing
from orchestration.landing.raw_schemas import ETF_FLOWS
from orchestration.lib.calendars import is_us_trading_day
from orchestration.sources.reference.html_tables import extract_tables

SOURCE_LIVE = "farside"
SOURCE_CSV = "import:farside_csv"
FARSIDE_URLS: dict[str, str] = {
    "BTC": "https://farside.co.uk/btc/",
    "ETH": "https://farside.co.uk/eth/",
}
FARSIDE_ALL_DATA_URLS: dict[str, str] = {
    "BTC": "https://farside.co.uk/bitcoin-etf-flow-all-data/",
    "ETH": "https://farside.co.uk/ethereum-etf-flow-all-data/",
}
KNOWN_TICKERS: dict[str, tuple[str, ...]] = {
    # BTC is the Grayscale Bitcoin Mini Trust, ETH the Grayscale Ethereum Mini Trust.
    "BTC": (
        "IBIT",
        "FBTC",
        "BITB",
        "ARKB",
        "BTCO",
        "EZBC",
        "BRRR",
        "HODL",
        "BTCW",
        "GBTC",
        "BTC",
        "DEFI",
    ),
    "ETH": ("ETHA", "FETH", "ETHW", "TETH", "ETHV", "QETH", "EZET", "ETHE", "ETH", "CETH"),
}
# Farside publishes figures rounded to 0.1 and its totals add up the displayed figures (true on
# every row of the recorded BTC and clean ETH files), so one rounding unit is enough slack.
TOTAL_TOLERANCE = 0.1
SUMMARY_LABELS = frozenset({"total", "average", "maximum", "minimum", "seed", "fee"})
NOT_REPORTED = frozenset({"", "-", "\u2013", "\u2014", "n/a", "na"})
_TICKER = re.compile(r"^[A-Z][A-Z0-9]{1,5}$")
_DATE_FORMATS = ("%d %b %Y", "%d %B %Y", "%Y-%m-%d", "%d/%m/%Y", "%b %d, %Y", "%d-%b-%Y")


@dataclass(frozen=True, slots=True)
class TotalMismatch:
    """A row whose Total column disagrees with the sum of its reported tickers."""

    date: date
    column: str
    reported_total: float
    sum_of_tickers: float


@dataclass(frozen=True, slots=True)
class FlowParseResult:
    """Rows of the raw ``etf_flows`` contract and the checks made on the way.

    Attributes:
        table: one row per trading day and ticker (contract schema).
        base_asset: ``BTC`` or ``ETH``.
        tickers: ticker columns found, in table order.
        total_columns: the columns recognised as totals (verified, not landed).
        mismatches: one entry per (row, total column) that failed the check.
        dropped_non_trading_days: rows dropped because the day is not an NYSE trading day.
        not_reported_days: trading days with at least one ticker not reported.
        all_zero_days: trading days kept with every ticker reported as exactly 0.0.
        summary_rows_ignored: non-date rows (Total/Average/Maximum/Minimum/Fee/Seed) skipped.
    """

    table: pa.Table
    base_asset: str
    tickers: tuple[str, ...]
    total_columns: tuple[str, ...]
    mismatches: tuple[TotalMismatch, ...]
    dropped_non_trading_days: tuple[date, ...]
    not_reported_days: tuple[date, ...]
    all_zero_days: tuple[date, ...] = ()
    summary_rows_ignored: int = 0

    @property
    def flagged_dates(self) -> tuple[date, ...]:
        return tuple(sorted({m.date for m in self.mismatches}))

    @property
    def flagged_count(self) -> int:
        return len(self.flagged_dates)


# --------------------------------------------------------------------------- cells and headers


def parse_flow_value(text: str | None) -> float | None:
    """``'1,234.5'`` -> 1234.5, ``'(12.3)'`` -> -12.3, ``'-'`` -> None (not yet reported)."""
    if text is None:
        return None
    t = text.strip().replace(",", "").replace("\u2212", "-").replace("$", "")
    if t.lower() in NOT_REPORTED:
        return None
    negative = t.startswith("(") and t.endswith(")")
    if negative:
        t = t[1:-1].strip()
    value = float(t)
    return -value if negative else value


def _is_label(cell: str) -> bool:
    """Header text, as opposed to a figure (a Seed row above the daily rows) or a blank."""
    try:
        return parse_flow_value(cell) is None and cell.strip().lower() not in NOT_REPORTED
    except ValueError:
        return True


def parse_flow_date(text: str) -> date | None:
    t = " ".join(text.split())
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(t, fmt).date()
        except ValueError:
            continue
    return None


def is_total_header(header: str) -> bool:
    return header.strip().lower().startswith("total")


def ticker_of(header: str, base_asset: str) -> str | None:
    """The ticker named in a column header: ``'Blackrock ETHA 0.25%'`` -> ``'ETHA'``.

    A known ticker of the asset wins; otherwise the last ticker-shaped token. Total columns and
    headers without a ticker-shaped token give None.
    """
    if is_total_header(header):
        return None
    tokens = [t.strip("()[],:") for t in header.split()]
    candidates = [t for t in tokens if _TICKER.match(t)]
    known = [t for t in candidates if t in KNOWN_TICKERS.get(base_asset, ())]
    if known:
        return known[-1]
    return candidates[-1] if candidates else None


# --------------------------------------------------------------------------- shared core


@dataclass(frozen=True, slots=True)
class _WideRow:
    day: date
    values: tuple[float | None, ...]
    totals: tuple[float | None, ...]


def _check_total(row: _WideRow, columns: tuple[str, ...], tolerance: float) -> list[TotalMismatch]:
    ticker_sum = round(sum(v for v in row.values if v is not None), 6)
    return [
        TotalMismatch(row.day, column, total, ticker_sum)
        for column, total in zip(columns, row.totals, strict=True)
        if total is not None and abs(total - ticker_sum) > tolerance + 1e-9
    ]


def _build(
    rows: list[_WideRow],
    tickers: tuple[str, ...],
    total_columns: tuple[str, ...],
    base_asset: str,
    source: str,
    summary_rows: int,
    tolerance: float,
) -> FlowParseResult:
    if len(set(tickers)) != len(tickers):
        raise ValueError(f"duplicate ticker columns in {base_asset} flow table: {tickers}")
    data: dict[str, list[object]] = {f.name: [] for f in ETF_FLOWS.schema}
    mismatches: list[TotalMismatch] = []
    dropped: list[date] = []
    not_reported: list[date] = []
    all_zero: list[date] = []
    seen: set[date] = set()
    for row in sorted(rows, key=lambda r: r.day):
        if not is_us_trading_day(row.day):
            dropped.append(row.day)
            continue
        if row.day in seen:
            raise ValueError(f"{base_asset} flow table lists {row.day} twice")
        seen.add(row.day)
        mismatches.extend(_check_total(row, total_columns, tolerance))
        if any(v is None for v in row.values):
            not_reported.append(row.day)
        elif all(v == 0.0 for v in row.values):
            all_zero.append(row.day)
        for ticker, value in zip(tickers, row.values, strict=True):
            data["source"].append(source)
            data["date"].append(row.day)
            data["base_asset"].append(base_asset)
            data["ticker"].append(ticker)
            data["flow_usd_m"].append(value)
            data["is_reported"].append(value is not None)
    return FlowParseResult(
        table=pa.Table.from_pydict(data, schema=ETF_FLOWS.schema),
        base_asset=base_asset,
        tickers=tickers,
        total_columns=total_columns,
        mismatches=tuple(mismatches),
        dropped_non_trading_days=tuple(dropped),
        not_reported_days=tuple(not_reported),
        all_zero_days=tuple(all_zero),
        summary_rows_ignored=summary_rows,
    )


def _classify(
    headers: list[str], base_asset: str
) -> tuple[list[int], list[str], list[int], list[str]]:
    """Split column indexes into ticker and total columns (column 0 is the date)."""
    ticker_idx: list[int] = []
    tickers: list[str] = []
    total_idx: list[int] = []
    totals: list[str] = []
    for i, header in enumerate(headers):
        if i == 0:
            continue
        if is_total_header(header):
            total_idx.append(i)
            totals.append(header)
        elif (ticker := ticker_of(header, base_asset)) is not None:
            ticker_idx.append(i)
            tickers.append(ticker)
    if not tickers:
        raise ValueError(f"no ticker columns recognised in {base_asset} flow headers {headers}")
    return ticker_idx, tickers, total_idx, totals


# --------------------------------------------------------------------------- HTML


def parse_farside_html(
    html: str,
    base_asset: str,
    *,
    source: str = SOURCE_LIVE,
    total_tolerance: float = TOTAL_TOLERANCE,
) -> FlowParseResult:
    """Parse a Farside flow page (the table with the most dated rows, ``class="etf"`` preferred).

    Header rows are the rows above the first dated row; each column's label is its header cells
    joined top to bottom (``'Blackrock IBIT 0.25%'``), from which the ticker is taken.
    """
    best: tuple[tuple[int, int], tuple[tuple[str, ...], ...]] | None = None
    for table in extract_tables(html):
        dated = sum(1 for row in table.rows if row and parse_flow_date(row[0]) is not None)
        if dated == 0:
            continue
        score = ("etf" in table.classes, dated)
        if best is None or score > best[0]:
            best = (score, table.rows)
    if best is None:
        raise ValueError(f"no {base_asset} flow table with dated rows found in the page")
    grid = best[1]
    first_dated = next(i for i, row in enumerate(grid) if parse_flow_date(row[0]) is not None)
    width = len(grid[0])
    headers = []
    for col in range(width):
        parts: list[str] = []
        for row in grid[:first_dated]:
            cell = row[col]
            if _is_label(cell) and (not parts or parts[-1] != cell):
                parts.append(cell)
        headers.append(" ".join(parts))
    ticker_idx, tickers, total_idx, totals = _classify(headers, base_asset)
    rows: list[_WideRow] = []
    summary = 0
    for row in grid[first_dated:]:
        day = parse_flow_date(row[0])
        if day is None:
            summary += 1 if row[0].strip().lower() in SUMMARY_LABELS else 0
            continue
        rows.append(
            _WideRow(
                day,
                tuple(parse_flow_value(row[i]) for i in ticker_idx),
                tuple(parse_flow_value(row[i]) for i in total_idx),
            )
        )
    return _build(rows, tuple(tickers), tuple(totals), base_asset, source, summary, total_tolerance)


# --------------------------------------------------------------------------- CSV


def parse_wide_csv(
    text: str,
    base_asset: str,
    *,
    source: str = SOURCE_CSV,
    trailing_zero_rows_unreported: bool = True,
    total_tolerance: float = TOTAL_TOLERANCE,
) -> FlowParseResult:
    """Parse a wide CSV (``date,<ticker or 'Issuer TICKER fee'>...,Total``).

    Blank or ``-`` cells are not reported. See the module docstring for how ``0.0`` is read;
    ``trailing_zero_rows_unreported=False`` keeps the last all-zero rows as reported zeros.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader)
    ticker_idx, tickers, total_idx, totals = _classify(header, base_asset)
    rows: list[_WideRow] = []
    summary = 0
    for record in reader:
        if not record or not record[0].strip():
            continue
        day = parse_flow_date(record[0])
        if day is None:
            summary += 1
            continue
        rows.append(
            _WideRow(
                day,
                tuple(parse_flow_value(record[i]) for i in ticker_idx),
                tuple(parse_flow_value(record[i]) for i in total_idx),
            )
        )
    if trailing_zero_rows_unreported:
        rows = _unreport_trailing_zero_rows(rows)
    return _build(rows, tuple(tickers), tuple(totals), base_asset, source, summary, total_tolerance)


def _unreport_trailing_zero_rows(rows: list[_WideRow]) -> list[_WideRow]:
    """Trading-day rows after the last non-zero row become "not reported" (see module doc)."""
    ordered = sorted(rows, key=lambda r: r.day)
    out = list(ordered)
    for i in range(len(ordered) - 1, -1, -1):
        row = ordered[i]
        if not is_us_trading_day(row.day):
            continue
        if any(v not in (None, 0.0) for v in row.values):
            break
        out[i] = _WideRow(row.day, tuple(None for _ in row.values), tuple(None for _ in row.totals))
    return out


# --------------------------------------------------------------------------- landing


def rows_for_day(table: pa.Table, day: date) -> pa.Table:
    mask = [d == day for d in table.column("date").to_pylist()]
    return table.filter(pa.array(mask, pa.bool_()))


def land_etf_flows(
    table: pa.Table, *, data_root: Path | None = None, part: str = "etf"
) -> list[landing.LandingResult]:
    """Land one ``dt=<date>`` partition per trading day. Pass BTC and ETH rows together (or
    use a different ``part`` per asset): a partition part is replaced whole on re-landing."""
    return [
        landing.land_partition(
            ETF_FLOWS, day, rows_for_day(table, day), part=part, data_root=data_root
        )
        for day in sorted(set(table.column("date").to_pylist()))
    ]


def import_wide_csvs(
    files: Iterable[tuple[Path, str]], *, data_root: Path | None = None, part: str = "etf"
) -> list[FlowParseResult]:
    """Parse ``(path, base_asset)`` CSV files and land them together (one part per day)."""
    results = [parse_wide_csv(Path(p).read_text(encoding="utf-8"), asset) for p, asset in files]
    if results:
        land_etf_flows(pa.concat_tables([r.table for r in results]), data_root=data_root, part=part)
    return results
