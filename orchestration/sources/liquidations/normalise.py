"""ccxt.pro liquidation structures -> rows of ``raw/liquidations`` (or a reject reason).

ccxt passes each venue's side and size conventions through (STACK.md, ccxt.pro traps), so the
mapping to the contract's ``side`` (``long`` = a long position was liquidated, a forced sell)
is written down here, per venue:

========  ======================  ====================  =====================================
venue     forced order side       contract side         size
========  ======================  ====================  =====================================
binance   ``SELL`` (``S``)        ``long``              ``l`` (last filled qty), coins
bybit     ``Buy`` (``S``)         ``long``              ``v``, coins (linear)
okx       ``sell`` (details)      ``long``              ``sz`` contracts x ctVal (0.01 BTC,
                                                        0.1 ETH), from the loaded market
========  ======================  ====================  =====================================

Bybit's ``side`` names the *position* side that was liquidated (its docs: "Buy" = a long
position liquidated); Binance and OKX name the forced *order* side, which for a long is a sell.

ccxt parses only the first entry of an OKX frame's ``details`` list; the rest are read here from
the structure's ``info`` so a multi-fill frame is not undercounted. A schema-broken frame
reaches us as a liquidation with ``None`` price, amount or time: it becomes a reject with its
reason (quarantined and counted), never a row.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

LONG_WHEN: dict[str, str] = {"binance": "sell", "okx": "sell", "bybit": "buy"}
"""Per venue: the raw side value that means a long position was liquidated."""
SHORT_WHEN: dict[str, str] = {"binance": "buy", "okx": "buy", "bybit": "sell"}


@dataclass(frozen=True, slots=True)
class Liquidation:
    """One validated forced order, in contract units."""

    venue: str
    symbol: str
    base_asset: str
    ts_ms: int
    side: str
    price: float
    amount_base: float

    @property
    def key(self) -> tuple[str, str, int, str, float, float]:
        """The dedupe key (no venue gives an id for public liquidations)."""
        return (self.venue, self.symbol, self.ts_ms, self.side, self.price, self.amount_base)

    @property
    def liquidated_at(self) -> datetime:
        return datetime.fromtimestamp(self.ts_ms / 1000, tz=UTC)

    @property
    def notional_usd(self) -> float:
        return self.amount_base * self.price


@dataclass(frozen=True, slots=True)
class Reject:
    """An event that could not become a row: why, and what was received."""

    venue: str
    reason: str
    raw: str


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _raw_text(item: Mapping[str, Any]) -> str:
    try:
        return json.dumps(item.get("info", item), sort_keys=True, default=str)[:2000]
    except (TypeError, ValueError):
        return repr(item)[:2000]


def _one(
    venue: str,
    symbol: Any,
    ts: Any,
    raw_side: Any,
    price: Any,
    amount: Any,
    bases: Mapping[str, str],
    raw: str,
) -> Liquidation | Reject:
    if not isinstance(symbol, str) or symbol not in bases:
        return Reject(venue, f"unconfigured symbol {symbol!r}", raw)
    ts_ms = _number(ts)
    if ts_ms is None or ts_ms <= 0:
        return Reject(venue, "malformed: missing time", raw)
    price_v, amount_v = _number(price), _number(amount)
    if price_v is None or price_v <= 0:
        return Reject(venue, "malformed: missing or non-positive price", raw)
    if amount_v is None or amount_v <= 0:
        return Reject(venue, "malformed: missing or non-positive amount", raw)
    side = str(raw_side).lower() if raw_side is not None else ""
    if side == LONG_WHEN.get(venue):
        contract_side = "long"
    elif side == SHORT_WHEN.get(venue):
        contract_side = "short"
    else:
        return Reject(venue, f"malformed: unknown side {raw_side!r}", raw)
    return Liquidation(
        venue=venue,
        symbol=symbol,
        base_asset=bases[symbol],
        ts_ms=int(ts_ms),
        side=contract_side,
        price=price_v,
        amount_base=round(amount_v, 12),
    )


def normalise(
    venue: str,
    item: Mapping[str, Any],
    bases: Mapping[str, str],
    contract_sizes: Mapping[str, float] | None = None,
) -> Iterator[Liquidation | Reject]:
    """The rows (or rejects) of one ccxt liquidation structure from ``exchange.liquidations``.

    ``bases`` maps each configured unified symbol to its base asset; other symbols are
    rejected (a stream must not widen the universe). ``contract_sizes`` (symbol -> base per
    contract, from the loaded markets) is used when the structure carries none (ccxt's OKX
    structure leaves ``contractSize`` empty).
    """
    raw = _raw_text(item)
    if not isinstance(item, Mapping):
        yield Reject(venue, "malformed: not a liquidation structure", repr(item)[:2000])
        return
    symbol = item.get("symbol")
    size = _number(item.get("contractSize"))
    if size is None and contract_sizes and isinstance(symbol, str):
        size = _number(contract_sizes.get(symbol))
    if venue == "okx":
        info = item.get("info") if isinstance(item.get("info"), Mapping) else {}
        details = info.get("details")
        if not isinstance(details, list) or not details:
            yield Reject(venue, "malformed: no details", raw)
            return
        for detail in details:
            if not isinstance(detail, Mapping):
                yield Reject(venue, "malformed: detail is not an object", raw)
                continue
            contracts = _number(detail.get("sz"))
            amount = None if contracts is None or size is None else contracts * size
            yield _one(venue, symbol, detail.get("ts"), detail.get("side"), detail.get("bkPx"),
                       amount, bases, raw)
        return
    contracts = _number(item.get("contracts"))
    amount = None if contracts is None else contracts * (size if size else 1.0)
    yield _one(venue, symbol, item.get("timestamp"), item.get("side"), item.get("price"),
               amount, bases, raw)
