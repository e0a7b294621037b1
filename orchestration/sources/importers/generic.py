"""The documented generic long CSVs (docs/live-sources.md, "Bulk import").

* funding: ``venue,symbol,funding_ts,rate[,interval_hours]``
* open interest: ``venue,symbol,ts,oi_contracts,oi_usd[,oi_base][,kind]``
* prices (daily candles): ``venue,symbol,ts,close[,open,high,low,volume_base][,market_type]``

Symbols are ccxt unified symbols (``ETH/USDT:USDT``); timestamps are ISO-8601 *with* an offset
(``2023-01-01T03:00:00+03:00``); a naive timestamp is rejected, because the real exports this
project has seen come in UTC+3 and UK local time and guessing would shift every settlement.
Rates are decimal fractions per settlement (0.0001 = 0.01 %).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Any

from orchestration.sources.importers.common import (
    ImportFormatError,
    Reject,
    base_of,
    csv_rows,
    open_text,
    parse_aware_timestamp,
    parse_number,
    round_minute,
)
from orchestration.sources.importers.parsed import Parsed

SOURCE = "import:{kind}"

FORMATS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # kind: (required columns, optional columns)
    "funding": (("venue", "symbol", "funding_ts", "rate"), ("interval_hours",)),
    "oi": (("venue", "symbol", "ts", "oi_contracts", "oi_usd"), ("oi_base", "kind")),
    "prices": (("venue", "symbol", "ts", "close"),
               ("open", "high", "low", "volume_base", "market_type")),
}


def _columns(kind: str, header: list[str], file: str) -> dict[str, int]:
    required, optional = FORMATS[kind]
    names = [h.strip().lower() for h in header]
    missing = [c for c in required if c not in names]
    if missing:
        raise ImportFormatError(
            f"{file}: not a '{kind}' CSV: missing column(s) {missing}; expected "
            f"{','.join(required)}[,{','.join(optional)}]"
        )
    return {c: names.index(c) for c in (*required, *optional) if c in names}


def _funding(cell: Callable[[str], str | None], kind: str) -> tuple[str, dict[str, Any]]:
    symbol = cell("symbol") or ""
    interval = parse_number(cell("interval_hours"))
    return "funding_rates", {
        "venue": (cell("venue") or "").lower(), "symbol": symbol, "base_asset": base_of(symbol),
        "funding_ts": round_minute(parse_aware_timestamp(cell("funding_ts") or "")),
        "rate": parse_number(cell("rate")), "interval_hours": interval,
    }


def _oi(cell: Callable[[str], str | None], kind: str) -> tuple[str, dict[str, Any]]:
    symbol = cell("symbol") or ""
    default_kind = "dated" if ":" in symbol and "-" in symbol.split(":")[1] else "perp"
    return "open_interest", {
        "venue": (cell("venue") or "").lower(), "symbol": symbol, "base_asset": base_of(symbol),
        "kind": (cell("kind") or default_kind).lower(),
        "ts": parse_aware_timestamp(cell("ts") or ""),
        "oi_contracts": parse_number(cell("oi_contracts")),
        "oi_base": parse_number(cell("oi_base")), "oi_usd": parse_number(cell("oi_usd")),
    }


def _prices(cell: Callable[[str], str | None], kind: str) -> tuple[str, dict[str, Any]]:
    symbol = cell("symbol") or ""
    ts = parse_aware_timestamp(cell("ts") or "")
    if (ts.hour, ts.minute, ts.second, ts.microsecond) != (0, 0, 0, 0):
        raise ValueError("daily candle ts is not 00:00 UTC")
    return "ohlcv_daily", {
        "venue": (cell("venue") or "").lower(), "symbol": symbol, "base_asset": base_of(symbol),
        "market_type": (cell("market_type") or ("perp" if ":" in symbol else "spot")).lower(),
        "ts": ts.astimezone(UTC), "open": parse_number(cell("open")),
        "high": parse_number(cell("high")), "low": parse_number(cell("low")),
        "close": parse_number(cell("close")), "volume_base": parse_number(cell("volume_base")),
    }


BUILDERS = {"funding": _funding, "oi": _oi, "prices": _prices}


def parse_generic(kind: str, paths: list[Path]) -> Parsed:
    """Parse generic long CSVs of ``kind`` ('funding', 'oi', 'prices')."""
    parsed = Parsed()
    build = BUILDERS[kind]
    for path in paths:
        for member, text in open_text(path):
            rows = csv_rows(text)
            first = next(rows, None)
            if first is None:
                continue
            columns = _columns(kind, first[1], member)
            for line, cells in rows:
                parsed.rows_read += 1

                def cell(name: str, cells: list[str] = cells,
                         columns: dict[str, int] = columns) -> str | None:
                    index = columns.get(name)
                    return cells[index] if index is not None and index < len(cells) else None

                try:
                    dataset, row = build(cell, kind)
                except ValueError as error:
                    parsed.rejects.append(Reject(member, line, str(error), ",".join(cells)))
                    continue
                if not row["venue"] or not row["symbol"]:
                    parsed.rejects.append(Reject(member, line, "missing venue or symbol",
                                                 ",".join(cells)))
                    continue
                parsed.add(dataset, {"source": SOURCE.format(kind=kind), **row})
    return parsed
