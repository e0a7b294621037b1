"""CFTC Traders in Financial Futures (futures only): parse the official files, keep the crypto
contracts, land one partition per report date, and backfill the whole history in one call.

Files (layout in :mod:`cftc_layout`):

- yearly history ``https://www.cftc.gov/files/dea/history/fut_fin_txt_{year}.zip`` holding
  ``FinFutYY.txt`` (header row, all markets, every report date of the year; the current year's
  zip is refreshed each week), and ``fin_fut_txt_2006_2016.zip`` for the years before 2017;
- the current week ``https://www.cftc.gov/dea/newcot/FinFutWk.txt`` (same columns, no header).

Traps the parser handles: quoted market names with odd spacing (``"MICRO ETHER  - CHICAGO..."``,
two spaces), numbers right-aligned with leading spaces, ``.`` for a value suppressed because
fewer than four traders hold it (-> null, never 0), CRLF line ends, and in the 2006-2016 bundle
``MM/DD/YYYY 12:00:00 AM`` dates and ``93212.000000`` numbers.

Dates: ``report_date`` is the "as of" day of the positions (a Tuesday, a Monday when Tuesday is
a federal holiday); ``release_date`` is when the CFTC published it: the Friday after, moved to
the next business day when a federal holiday falls late in the week, or the date the CFTC
announced for delayed reports (the 2025 shutdown backlog, :data:`KNOWN_RELEASE_DATES`).
Both are pure functions of the report date, so landing the same report twice gives the same
bytes whether it came from the yearly zip, the weekly file or a late catch-up burst.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from orchestration.landing import landing
from orchestration.landing.raw_schemas import CFTC_TFF
from orchestration.lib.cftc_calendar import release_date_for
from orchestration.sources.reference.cftc_layout import TFF_COLUMNS
from orchestration.sources.reference.http import HttpFetcher, SourceHttpError

SOURCE = "cftc"
HISTORY_URL = "https://www.cftc.gov/files/dea/history/fut_fin_txt_{year}.zip"
HISTORY_BUNDLE_URL = "https://www.cftc.gov/files/dea/history/fin_fut_txt_2006_2016.zip"
WEEKLY_URL = "https://www.cftc.gov/dea/newcot/FinFutWk.txt"
FIRST_YEARLY_FILE = 2017  # earlier years only ship inside the 2006-2016 bundle
FIRST_CRYPTO_YEAR = 2017  # CME bitcoin futures started trading in December 2017


@dataclass(frozen=True, slots=True)
class CftcContract:
    """A CFTC contract market we keep.

    Attributes:
        code: ``CFTC_Contract_Market_Code`` (a string: codes may have letters or leading zeros).
        base_asset: ``BTC`` or ``ETH``.
        contract_units: base asset per contract; ``None`` reads it from ``Contract_Units``.
        label: short human name.
    """

    code: str
    base_asset: str
    contract_units: float | None
    label: str


CRYPTO_CONTRACTS: dict[str, CftcContract] = {
    c.code: c
    for c in (
        CftcContract("133741", "BTC", 5.0, "CME Bitcoin"),
        CftcContract("133742", "BTC", 0.1, "CME Micro Bitcoin"),
        CftcContract("146021", "ETH", 50.0, "CME Ether (ETHER CASH SETTLED)"),
        CftcContract("146022", "ETH", 0.1, "CME Micro Ether"),
    )
}

# raw cftc_tff column <- official TFF column
POSITION_COLUMNS: dict[str, str] = {
    "open_interest_all": "Open_Interest_All",
    "lev_money_long": "Lev_Money_Positions_Long_All",
    "lev_money_short": "Lev_Money_Positions_Short_All",
    "asset_mgr_long": "Asset_Mgr_Positions_Long_All",
    "asset_mgr_short": "Asset_Mgr_Positions_Short_All",
    "dealer_long": "Dealer_Positions_Long_All",
    "dealer_short": "Dealer_Positions_Short_All",
}


def _norm(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


_OFFICIAL_BY_NORM = {_norm(c): c for c in TFF_COLUMNS}


# --------------------------------------------------------------------------- low-level parsing


def parse_number(raw: str | None) -> float | None:
    """``'   30503'`` -> 30503.0; ``'.'`` (suppressed) or blank -> None; ``'93212.000000'`` ok."""
    if raw is None:
        return None
    text = raw.strip().replace(",", "")
    if text in {"", "."}:
        return None
    return float(text)


def parse_date(raw: str) -> date | None:
    """ISO ``2026-03-17``, ``MM/DD/YYYY[ hh:mm:ss AM]`` (2006-2016 bundle) or ``YYMMDD``."""
    text = raw.strip()
    if not text:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return date.fromisoformat(text)
    match = re.match(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if match:
        month, day, year = (int(g) for g in match.groups())
        return date(year, month, day)
    if re.fullmatch(r"\d{6}", text):
        return date(2000 + int(text[:2]), int(text[2:4]), int(text[4:]))
    return None


def parse_contract_units(text: str | None) -> float | None:
    """Base asset per contract from the ``Contract_Units`` text, where it says so.

    Seen in the files: ``(5 Bitcoins)``, ``(Bitcoin X $0.10)`` (micro bitcoin: 0.1 BTC),
    ``(50 Index Points)`` (CME ether: 50 x the ETH price, i.e. 50 ETH), ``(0.1 Index Points)``.
    """
    if not text:
        return None
    t = text.strip().lower()
    for pattern in (
        r"\(\s*([\d.,]+)\s*(?:bitcoins?|btc|ethers?|eth)\s*\)",
        r"\(\s*(?:bitcoins?|btc|ethers?|eth)\s*x\s*\$?\s*([\d.,]+)\s*\)",
        r"\(\s*([\d.,]+)\s*index\s+points?\s*\)",
    ):
        match = re.search(pattern, t)
        if match:
            return float(match.group(1).replace(",", ""))
    return None


def read_rows(text: str) -> list[dict[str, str]]:
    """Official rows keyed by official column name, with or without the header row.

    A header is recognised by its first field (``Market_and_Exchange_Names`` in any spelling);
    a headerless file (the weekly ``FinFutWk.txt``) gets :data:`TFF_COLUMNS`.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    rows = [r for r in reader if r and any(cell.strip() for cell in r)]
    if not rows:
        return []
    if _norm(rows[0][0]) == "market_and_exchange_names":
        names = [_OFFICIAL_BY_NORM.get(_norm(h), h.strip()) for h in rows[0]]
        body = rows[1:]
    else:
        names = list(TFF_COLUMNS)
        body = rows
    return [dict(zip(names, row, strict=False)) for row in body]


def report_date_of(row: Mapping[str, str]) -> date:
    """The positions' "as of" date: ``Report_Date_as_YYYY-MM-DD``, else the YYMMDD column."""
    for key in ("Report_Date_as_YYYY-MM-DD", "As_of_Date_In_Form_YYMMDD"):
        value = parse_date(row.get(key, ""))
        if value is not None:
            return value
    for key, raw in row.items():  # other spellings, e.g. Report_Date_as_MM_DD_YYYY
        if _norm(key).startswith("report_date_as") and (value := parse_date(raw)):
            return value
    raise ValueError(f"no report date in CFTC row for {row.get('Market_and_Exchange_Names')!r}")


def read_zip_text(data: bytes) -> str:
    """The text file inside a CFTC history zip (one ``.txt`` member, e.g. ``FinFutYY.txt``)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [n for n in archive.namelist() if n.lower().endswith(".txt")]
        if not members:
            raise ValueError(f"no .txt file in CFTC zip (members: {archive.namelist()})")
        return archive.read(members[0]).decode("utf-8", errors="replace")


# --------------------------------------------------------------------------- selection


@dataclass(frozen=True, slots=True)
class CftcParseResult:
    """Rows of the raw ``cftc_tff`` contract and what the parser noticed on the way.

    Attributes:
        table: rows of the selected contracts, contract schema, one per code and report date.
        rows_by_code: kept rows per contract code.
        unit_mismatches: codes whose ``Contract_Units`` text disagrees with the configured size.
        skipped_not_futonly: rows dropped because ``FutOnly_or_Combined`` was not ``FutOnly``.
    """

    table: pa.Table
    rows_by_code: dict[str, int]
    unit_mismatches: tuple[str, ...] = ()
    skipped_not_futonly: int = 0


def _market_name(raw: str) -> str:
    return " ".join(raw.split())


def parse_tff(
    text: str,
    contracts: Mapping[str, CftcContract] = CRYPTO_CONTRACTS,
    *,
    source: str = SOURCE,
) -> CftcParseResult:
    """Parse one TFF futures-only file (yearly or weekly) into raw ``cftc_tff`` rows.

    Market names are whitespace-collapsed for display; selection is by contract code only,
    because CFTC renames markets (``ETHER CASH SETTLED``) and pads them oddly.
    """
    columns: dict[str, list[object]] = {f.name: [] for f in CFTC_TFF.schema}
    mismatches: dict[str, str] = {}
    skipped = 0
    for row in read_rows(text):
        code = row.get("CFTC_Contract_Market_Code", "").strip()
        contract = contracts.get(code)
        if contract is None:
            continue
        kind = row.get("FutOnly_or_Combined", "FutOnly").strip()
        if kind and kind != "FutOnly":
            skipped += 1
            continue
        report = report_date_of(row)
        text_units = parse_contract_units(row.get("Contract_Units"))
        units = contract.contract_units if contract.contract_units is not None else text_units
        if (
            contract.contract_units is not None
            and text_units is not None
            and abs(text_units - contract.contract_units) > 1e-9
        ):
            mismatches[code] = (
                f"{code}: Contract_Units {row.get('Contract_Units', '').strip()!r} "
                f"!= configured {contract.contract_units:g}"
            )
        columns["source"].append(source)
        columns["report_date"].append(report)
        columns["release_date"].append(release_date_for(report))
        columns["cftc_contract_market_code"].append(code)
        columns["market_name"].append(_market_name(row.get("Market_and_Exchange_Names", "")))
        columns["base_asset"].append(contract.base_asset)
        columns["contract_units"].append(units)
        for target, official in POSITION_COLUMNS.items():
            columns[target].append(parse_number(row.get(official)))
    table = dedupe_keep_last(pa.Table.from_pydict(columns, schema=CFTC_TFF.schema))
    return CftcParseResult(
        table=table,
        rows_by_code=dict(Counter(table.column("cftc_contract_market_code").to_pylist())),
        unit_mismatches=tuple(sorted(mismatches.values())),
        skipped_not_futonly=skipped,
    )


def dedupe_keep_last(table: pa.Table) -> pa.Table:
    """One row per (code, report date); a later row (a newer file, a CFTC correction) wins."""
    if table.num_rows == 0:
        return table
    keys = list(
        zip(
            table.column("cftc_contract_market_code").to_pylist(),
            table.column("report_date").to_pylist(),
            strict=True,
        )
    )
    last = {key: i for i, key in enumerate(keys)}
    keep = sorted(last.values())
    table = table.take(pa.array(keep, pa.int64()))
    return table.sort_by([("cftc_contract_market_code", "ascending"), ("report_date", "ascending")])


def rows_for_report_date(table: pa.Table, report_date: date) -> pa.Table:
    return table.filter(pc.equal(table.column("report_date"), pa.scalar(report_date, pa.date32())))


def contracts_with_extra(extra: Iterable[str]) -> dict[str, CftcContract]:
    """The four crypto contracts plus configured extras written ``CODE:BASE[:UNITS]``.

    Example: ``"133LM4:BTC:0.01"``; without units the ``Contract_Units`` text decides.
    """
    out = dict(CRYPTO_CONTRACTS)
    for spec in extra:
        parts = [p.strip() for p in spec.split(":")]
        if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
            raise ValueError(f"extra CFTC contract {spec!r}: expected CODE:BASE[:UNITS]")
        units = float(parts[2]) if len(parts) == 3 and parts[2] else None
        out[parts[0]] = CftcContract(parts[0], parts[1].upper(), units, f"configured {parts[0]}")
    return out


# --------------------------------------------------------------------------- landing, backfill


def land_cftc(
    table: pa.Table, *, data_root: Path | None = None, part: str = "0"
) -> list[landing.LandingResult]:
    """Land each report date of ``table`` into its own ``dt=<report_date>`` partition.

    A late burst (several report dates released at once) lands as several partitions; a report
    date landed again replaces its file with identical bytes.
    """
    results = []
    for report in sorted(set(table.column("report_date").to_pylist())):
        rows = rows_for_report_date(table, report)
        results.append(
            landing.land_partition(CFTC_TFF, report, rows, part=part, data_root=data_root)
        )
    return results


@dataclass(frozen=True, slots=True)
class BackfillReport:
    """What a CFTC backfill fetched and landed.

    Attributes:
        urls: files fetched, in order.
        missing: URLs that answered 404 (a year not published yet): skipped, not fatal.
        rows_by_code: landed rows per contract code.
        report_dates: distinct report dates landed.
        first_report_date / last_report_date: span landed (None when nothing was found).
        unit_mismatches: ``Contract_Units`` disagreements seen (configured sizes were used).
        paths: partition files written.
    """

    urls: tuple[str, ...]
    missing: tuple[str, ...]
    rows_by_code: dict[str, int]
    report_dates: int
    first_report_date: date | None
    last_report_date: date | None
    unit_mismatches: tuple[str, ...] = ()
    paths: tuple[Path, ...] = field(default=(), repr=False)

    @property
    def rows(self) -> int:
        return sum(self.rows_by_code.values())


def history_urls(years: Iterable[int], url_template: str = HISTORY_URL) -> list[str]:
    """Yearly zip URLs; years before 2017 map to the one 2006-2016 bundle."""
    urls: list[str] = []
    for year in sorted(set(years)):
        url = HISTORY_BUNDLE_URL if year < FIRST_YEARLY_FILE else url_template.format(year=year)
        if url not in urls:
            urls.append(url)
    return urls


def backfill_cftc(
    years: Iterable[int],
    fetch: Callable[[str], bytes] | None = None,
    *,
    contracts: Mapping[str, CftcContract] = CRYPTO_CONTRACTS,
    url_template: str = HISTORY_URL,
    weekly_url: str | None = WEEKLY_URL,
    data_root: Path | None = None,
    part: str = "0",
) -> BackfillReport:
    """Download each year's history zip (and the current weekly file) and land every report
    date of the selected contracts. Re-running it rewrites the same partitions byte for byte.

    ``fetch`` maps a URL to bytes (default: the live client with retries); a 404 (a year the
    CFTC has not published yet) is recorded in ``missing`` and skipped. The weekly file is read
    last so a report newer than the yearly zip still lands; ``weekly_url=None`` skips it.
    """
    get = fetch or HttpFetcher(SOURCE).get
    urls = history_urls(years, url_template)
    if weekly_url:
        urls.append(weekly_url)
    tables: list[pa.Table] = []
    missing: list[str] = []
    mismatches: set[str] = set()
    wanted = set(years)
    for url in urls:
        try:
            payload = get(url)
        except SourceHttpError as exc:
            if exc.status == 404:
                missing.append(url)
                continue
            raise
        is_zip = payload[:2] == b"PK"
        text = read_zip_text(payload) if is_zip else payload.decode("utf-8", "replace")
        parsed = parse_tff(text, contracts)
        mismatches.update(parsed.unit_mismatches)
        table = parsed.table
        if url == HISTORY_BUNDLE_URL:  # the bundle spans 2006-2016: keep the years asked for
            mask = [d.year in wanted for d in table.column("report_date").to_pylist()]
            table = table.filter(pa.array(mask, pa.bool_()))
        tables.append(table)
    combined = (
        dedupe_keep_last(pa.concat_tables(tables)) if tables else CFTC_TFF.schema.empty_table()
    )
    results = land_cftc(combined, data_root=data_root, part=part)
    dates = sorted(set(combined.column("report_date").to_pylist()))
    return BackfillReport(
        urls=tuple(urls),
        missing=tuple(missing),
        rows_by_code=dict(Counter(combined.column("cftc_contract_market_code").to_pylist())),
        report_dates=len(dates),
        first_report_date=dates[0] if dates else None,
        last_report_date=dates[-1] if dates else None,
        unit_mismatches=tuple(sorted(mismatches)),
        paths=tuple(r.path for r in results),
    )
