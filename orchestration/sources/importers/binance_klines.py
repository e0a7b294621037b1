"""Binance public-data hourly kline archives of the perpetual's premium, mark and index price.

data.binance.vision publishes, per USDT-margined perpetual and month (``.zip`` holding one
``.csv``; both are accepted), three kline series that the REST API serves only for recent
weeks:

* ``binance-premium-index``: ``futures/um/monthly/premiumIndexKlines/<SYMBOL>/1h/
  <SYMBOL>-1h-<YYYY-MM>.zip``; the candle values are the premium index itself (a decimal
  fraction, e.g. ``-0.00012`` = -1.2 bp);
* ``binance-mark-price``: ``markPriceKlines/<SYMBOL>/1h/...``, the mark price;
* ``binance-index-price``: ``indexPriceKlines/<SYMBOL>/1h/...``, the spot index price.

Layout (the kline CSV of all Binance archives): ``open_time,open,high,low,close,volume,
close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore``; for these three
series the volume columns are zero. Newer files carry that header row, older ones do not.
Times are epoch milliseconds, in some newer files microseconds: the unit is read from each
value's magnitude (>= 1e15 is µs), never assumed.

Each candle lands in the raw ``premium_index`` dataset at its open time (the hour it covers),
with its *close* (the value at the end of the hour), as the live source lands the closes of
the mark and index candles: the mark kind fills ``mark_price``, the index kind
``index_price``, the premium kind ``premium``. The three kinds land separate part files; dbt's
``stg_premium_index`` joins them on (venue, symbol, hour). Only ``1h`` archives are accepted
(the dataset is hourly); a candle not one hour long or not opening on the hour is rejected with
its reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path

from orchestration.sources.importers.common import (
    ImportFormatError,
    Reject,
    binance_symbol,
    csv_rows,
    open_text,
    parse_number,
)
from orchestration.sources.importers.parsed import Parsed

VENUE = "binance"
KLINE_COLUMNS = (
    "open_time", "open", "high", "low", "close", "volume", "close_time", "quote_volume",
    "count", "taker_buy_volume", "taker_buy_quote_volume", "ignore",
)
HOUR = timedelta(hours=1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECONDS_FROM = 10**15
"""Epoch values at or above this are microseconds (ms reach 1e15 only in the year 33658)."""
MILLISECONDS_FROM = 10**11
"""Below this an epoch value would be seconds (or ms before 1973): not a Binance kline time."""

COLUMN_BY_KIND = {
    "binance-premium-index": "premium",
    "binance-mark-price": "mark_price",
    "binance-index-price": "index_price",
}
ARCHIVE_BY_KIND = {
    "binance-premium-index": "premiumIndexKlines",
    "binance-mark-price": "markPriceKlines",
    "binance-index-price": "indexPriceKlines",
}


def epoch_auto(text: str) -> datetime:
    """Epoch milliseconds or microseconds -> aware UTC datetime, the unit read from the
    magnitude. Raises ValueError for anything else (seconds, garbage)."""
    try:
        value = int(Decimal(text.strip()))
    except (InvalidOperation, ValueError) as error:
        raise ValueError(f"not an epoch time: {text.strip()!r}") from error
    if value >= MICROSECONDS_FROM:
        return EPOCH + timedelta(microseconds=value)
    if value >= MILLISECONDS_FROM:
        return EPOCH + timedelta(milliseconds=value)
    raise ValueError(f"epoch time {value} is neither milliseconds nor microseconds")


def _symbol_and_interval(name: str, kind: str) -> str:
    """``BTCUSDT-1h-2024-01.csv`` -> ``BTCUSDT``; other intervals are refused."""
    match = re.match(r"([A-Z0-9_]+)-(\d+[smhdwM]o?)-\d{4}-\d{2}(-\d{2})?\.(csv|zip)$",
                     Path(name).name, flags=re.IGNORECASE)
    if not match:
        raise ImportFormatError(
            f"{name}: cannot tell the symbol from the file name (expected "
            f"<SYMBOL>-1h-<YYYY-MM>.csv as data.binance.vision publishes {ARCHIVE_BY_KIND[kind]})"
        )
    if match.group(2) != "1h":
        raise ImportFormatError(
            f"{name}: a {match.group(2)} archive; the premium_index dataset is hourly: "
            f"import the 1h {ARCHIVE_BY_KIND[kind]} files"
        )
    return match.group(1).upper()


def _is_header(cells: list[str], name: str, kind: str) -> bool:
    """True for the header row, False for a headerless file's first candle."""
    if [c.lower() for c in cells[: len(KLINE_COLUMNS)]] == list(KLINE_COLUMNS[: len(cells)]):
        return True
    if cells and re.fullmatch(r"\d+", cells[0]):
        return False
    raise ImportFormatError(
        f"{name}: not a Binance {ARCHIVE_BY_KIND[kind]} CSV; expected header "
        f"{','.join(KLINE_COLUMNS)} (or none)"
    )


def _candle(cells: list[str]) -> tuple[datetime, float | None]:
    """(open time, close) of one hourly candle; ValueError with the reason otherwise."""
    if len(cells) < 7:
        raise ValueError(f"{len(cells)} column(s), a kline has 12")
    opened, closed = epoch_auto(cells[0]), epoch_auto(cells[6])
    if opened.minute or opened.second or opened.microsecond:
        raise ValueError("open time not on the hour")
    if not timedelta(0) < closed - opened < HOUR + timedelta(seconds=1):
        raise ValueError("not a 1-hour candle (close_time - open_time)")
    return opened, parse_number(cells[4])


def parse_price_klines(kind: str, paths: list[Path]) -> Parsed:
    """Hourly rows of ``premium_index`` from the archives of ``kind`` (see the module doc)."""
    column = COLUMN_BY_KIND[kind]
    parsed = Parsed()
    for path in paths:
        for member, text in open_text(path):
            symbol, base, contract = binance_symbol(_symbol_and_interval(member, kind))
            if contract != "perp":
                raise ImportFormatError(f"{member}: {symbol} is not a perpetual")
            for line, cells in csv_rows(text):
                if line == 1 and _is_header(cells, member, kind):
                    continue
                parsed.rows_read += 1
                try:
                    hour, value = _candle(cells)
                except (ValueError, ArithmeticError) as error:
                    parsed.rejects.append(Reject(member, line, f"unreadable row: {error}",
                                                 ",".join(cells)))
                    continue
                parsed.add("premium_index", {
                    "source": f"import:{kind}", "venue": VENUE, "symbol": symbol,
                    "base_asset": base, "ts": hour, column: value,
                })
    return parsed


def parser(kind: str) -> Callable[[list[Path]], Parsed]:
    """The registry's parser of one of the three kinds."""
    if kind not in COLUMN_BY_KIND:
        raise ValueError(f"not a kline kind: {kind!r}")
    return partial(parse_price_klines, kind)
