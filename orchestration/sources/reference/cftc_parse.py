"""Low-level reading of the CFTC TFF files: the text of a zip, rows by official column name,
numbers (``.`` suppressed -> null, never 0), dates in both layouts, contract units.

Split from :mod:`cftc` (which contracts, which rows, what lands): these are the file format's
traps, each testable alone (``tests/unit/test_cftc.py``).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Mapping
from datetime import date

from orchestration.sources.reference.cftc_layout import TFF_COLUMNS


def _norm(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


_OFFICIAL_BY_NORM = {_norm(c): c for c in TFF_COLUMNS}


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
