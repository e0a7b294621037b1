"""CFTC Traders in Financial Futures (futures only): the crypto contracts and their rows.

This module parses the official files into raw ``cftc_tff`` rows of the crypto contracts; the
file format's low-level readers are in :mod:`cftc_parse`, landing one partition per report date
and the one-call history backfill in :mod:`cftc_landing`, the column layout in
:mod:`cftc_layout`.

Files:

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

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from orchestration.landing.raw_schemas import CFTC_TFF
from orchestration.lib.cftc_calendar import release_date_for
from orchestration.sources.reference.cftc_parse import (  # the file format's readers
    parse_contract_units,
    parse_number,
    read_rows,
    report_date_of,
)

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
