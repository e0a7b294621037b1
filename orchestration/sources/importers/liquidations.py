"""Vendor liquidation exports as a documented long CSV (docs/live-sources.md, "Bulk import").

``venue,symbol,liquidated_at,side,price,amount_base[,notional_usd]``

* ``symbol``: ccxt unified perpetual symbol (``BTC/USDT:USDT``);
* ``liquidated_at``: ISO-8601 *with* an offset (``2025-10-10T21:15:03.250+00:00``); a naive
  time is rejected, as in every import;
* ``side``: the contract's convention, ``long`` = a long position was liquidated (a forced
  sell), ``short`` = a short was; venue words (``buy``/``sell``) are refused because their
  meaning differs by venue (Binance/OKX ``sell`` = long, Bybit ``Buy`` = long);
* ``amount_base``: size in the base asset (convert OKX contracts with ctVal first);
* ``notional_usd``: optional, default ``amount_base x price``.

Rows land as ``capture = import``, ``source = import:liquidations``; history before the
collector started comes only from such files (no venue offers a free REST history).
"""

from __future__ import annotations

from pathlib import Path

from orchestration.sources.importers.common import (
    ImportFormatError,
    Reject,
    base_of,
    csv_rows,
    open_text,
    parse_aware_timestamp,
    parse_number,
)
from orchestration.sources.importers.parsed import Parsed

KIND = "liquidations"
REQUIRED = ("venue", "symbol", "liquidated_at", "side", "price", "amount_base")
OPTIONAL = ("notional_usd",)


def _columns(header: list[str], file: str) -> dict[str, int]:
    names = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise ImportFormatError(
            f"{file}: not a 'liquidations' CSV: missing column(s) {missing}; expected "
            f"{','.join(REQUIRED)}[,{','.join(OPTIONAL)}]"
        )
    return {c: names.index(c) for c in (*REQUIRED, *OPTIONAL) if c in names}


def parse_liquidations(paths: list[Path]) -> Parsed:
    """Rows of ``raw/liquidations`` from the long CSVs; unparseable lines become rejects."""
    parsed = Parsed()
    for path in paths:
        for member, text in open_text(path):
            rows = csv_rows(text)
            first = next(rows, None)
            if first is None:
                continue
            columns = _columns(first[1], member)
            for line, cells in rows:
                parsed.rows_read += 1

                def cell(name: str, cells: list[str] = cells,
                         columns: dict[str, int] = columns) -> str:
                    index = columns.get(name)
                    return cells[index].strip() if index is not None and index < len(cells) else ""

                try:
                    side = cell("side").lower()
                    if side not in ("long", "short"):
                        raise ValueError(
                            f"side {cell('side')!r} is not long or short (long = a long position "
                            "was liquidated)"
                        )
                    venue, symbol = cell("venue").lower(), cell("symbol")
                    if not venue or not symbol:
                        raise ValueError("missing venue or symbol")
                    price = parse_number(cell("price"))
                    amount = parse_number(cell("amount_base"))
                    notional = parse_number(cell("notional_usd"))
                    if notional is None and price is not None and amount is not None:
                        notional = price * amount
                    row = {
                        "source": f"import:{KIND}", "venue": venue, "symbol": symbol,
                        "base_asset": base_of(symbol),
                        "liquidated_at": parse_aware_timestamp(cell("liquidated_at")),
                        "side": side, "price": price, "amount_base": amount,
                        "notional_usd": notional, "capture": "import",
                    }
                except ValueError as error:
                    parsed.rejects.append(Reject(member, line, str(error), ",".join(cells)))
                    continue
                parsed.add("liquidations", row)
    return parsed
