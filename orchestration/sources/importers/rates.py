"""Rate histories for back-tests: the USD hurdle and staking yields, into the raw ``rates`` table.

The carry is judged against the hurdle and (for ETH) the staking yield *of its day*: a back-test
over 2021-2024 with today's 4 % T-bill and 3 % staking would misjudge every year before 2023.

* ``rates``: FRED DTB3 exactly as FRED serves ``fredgraph.csv?id=DTB3``: ``observation_date,
  DTB3`` (``DATE,DTB3`` in files saved before 2024), business days, percent, ``.`` on holidays.
  Each observed day lands as series ``usd_tbill_3m`` in decimal fractions (4.52 -> 0.0452),
  ``is_filled = false``. A ``.`` (no observation) lands nothing and is counted as a reject
  with reason ``no observation (FRED writes .)``: the warehouse's as-of join carries the previous
  business day, and missing is never filled with a number here.
* ``staking``: a CSV ``date,asset,apr`` (ISO date, base asset, APR as a decimal fraction per
  year: 0.035 = 3.5 %), one row per day and asset, e.g. a Lido stETH APR history. Lands series
  ``<asset>_staking_apr`` (``eth_staking_apr`` is the one the carry reads). An APR below 0 or at
  or above 1 (100 %/year: a percent written where a fraction belongs) is rejected with its
  reason. Days before liquid staking existed (ETH before the April 2023 Shanghai upgrade) are
  best written as ``0`` if the yield was not withdrawable: the import never assumes it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from orchestration.sources.importers.common import ImportFormatError, Reject, csv_rows, open_text
from orchestration.sources.importers.parsed import Parsed
from orchestration.sources.reference.rates import TBILL_SERIES

FRED_DATE_COLUMNS = ("observation_date", "date")
FRED_SERIES = {"DTB3": TBILL_SERIES}
STAKING_COLUMNS = ("date", "asset", "apr")


def _fraction(text: str, scale: int = 0) -> float:
    try:
        return float(Decimal(text.strip()).scaleb(scale))
    except InvalidOperation as error:
        raise ValueError(f"not a number: {text.strip()!r}") from error


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as error:
        raise ValueError(f"not an ISO date: {text.strip()!r}") from error


def parse_fred(paths: list[Path]) -> Parsed:
    """FRED DTB3 CSVs -> ``rates`` rows of ``usd_tbill_3m`` (see the module doc)."""
    parsed = Parsed()
    for path in paths:
        for member, text in open_text(path):
            rows = csv_rows(text)
            first = next(rows, None)
            header = [c.strip() for c in first[1]] if first else []
            if (len(header) < 2 or header[0].lower() not in FRED_DATE_COLUMNS
                    or header[1].upper() not in FRED_SERIES):
                raise ImportFormatError(
                    f"{member}: not a FRED DTB3 CSV; expected header observation_date,DTB3 "
                    f"(as fredgraph.csv?id=DTB3 serves it), got {','.join(header) or 'nothing'}"
                )
            series = FRED_SERIES[header[1].upper()]
            for line, cells in rows:
                parsed.rows_read += 1
                value = cells[1].strip() if len(cells) > 1 else ""
                if value in ("", "."):
                    parsed.rejects.append(Reject(member, line, "no observation (FRED writes .)",
                                                 ",".join(cells)))
                    continue
                try:
                    parsed.add("rates", {
                        "source": "import:rates", "date": _day(cells[0]), "series": series,
                        "value": _fraction(value, -2), "is_filled": False,
                    })
                except ValueError as error:
                    parsed.rejects.append(Reject(member, line, f"unreadable row: {error}",
                                                 ",".join(cells)))
    return parsed


def parse_staking(paths: list[Path]) -> Parsed:
    """``date,asset,apr`` CSVs -> ``rates`` rows of ``<asset>_staking_apr``."""
    parsed = Parsed()
    for path in paths:
        for member, text in open_text(path):
            rows = csv_rows(text)
            first = next(rows, None)
            header = [c.strip().lower() for c in first[1]] if first else []
            if header[:3] != list(STAKING_COLUMNS):
                raise ImportFormatError(
                    f"{member}: not a staking CSV; expected header date,asset,apr "
                    f"(apr as a decimal fraction per year), got {','.join(header) or 'nothing'}"
                )
            for line, cells in rows:
                parsed.rows_read += 1
                try:
                    if len(cells) < 3 or not cells[1].strip():
                        raise ValueError("missing asset or apr")
                    apr = _fraction(cells[2])
                    if not 0 <= apr < 1:
                        raise ValueError(
                            f"apr {cells[2].strip()} outside 0 <= apr < 1 (a decimal fraction: "
                            "0.035 = 3.5 %)")
                    parsed.add("rates", {
                        "source": "import:staking", "date": _day(cells[0]),
                        "series": f"{cells[1].strip().lower()}_staking_apr",
                        "value": apr, "is_filled": False,
                    })
                except ValueError as error:
                    parsed.rejects.append(Reject(member, line, f"unreadable row: {error}",
                                                 ",".join(cells)))
    return parsed
