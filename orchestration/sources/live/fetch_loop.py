"""The fetch machinery every live dataset shares: the batch a fetcher returns, the per-symbol
loop, pagination of ccxt history methods and "today's value" requests.

A dataset's fetcher (``fetchers.py``) says only what to ask the venue for and how to map the
answer to raw-contract rows; this module walks the configured symbols, resolves their ccxt
markets, pages the history and records what went wrong where (one failed symbol never fails
the dataset). Window: ``[start_ms, end_ms)``, whole UTC days.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

import ccxt

from orchestration.sources.live.series import HOUR_MS, SeriesResult, VenueContext, fetch_series


@dataclass
class DatasetBatch:
    """Rows of one dataset for one venue over the window, with what happened on the way.

    Attributes:
        rows: raw-contract dicts (``source``/``venue`` filled in).
        counts: normalisation counters (duplicates merged, reordered, out of window, ...).
        problems: gaps and anomalies in words (end up in the outcome message).
        failed_symbols: symbol -> error, for symbols whose requests failed.
        mode: ``history`` or ``current`` (today's value only).
        expected_by_day: rows due per day when the schedule cannot say (dated futures,
            current snapshots); None for schedule-driven datasets.
    """

    rows: list[dict[str, Any]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    failed_symbols: dict[str, str] = field(default_factory=dict)
    mode: str = "history"
    expected_by_day: dict[date, int] | None = None


def error_text(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {text[:200]}"


def base_row(ctx: VenueContext, symbol: str, base: str) -> dict[str, Any]:
    return {"source": ctx.config.source, "venue": ctx.config.venue, "symbol": symbol,
            "base_asset": base}


def placeholders(ctx: VenueContext, symbol: str, base: str, n: int, extra: Mapping[str, Any]
                 ) -> list[dict[str, Any]]:
    """Rows standing for records ccxt's parser dropped: the landing quarantines them."""
    return [{**base_row(ctx, symbol, base), **extra} for _ in range(n)]


def perps(ctx: VenueContext) -> list[tuple[str, str]]:
    return list(ctx.config.perps.items())


def resolve_market(ctx: VenueContext, batch: DatasetBatch, symbol: str) -> dict[str, Any] | None:
    try:
        market = ctx.market(symbol)
    except ccxt.BaseError as error:
        batch.failed_symbols[symbol] = error_text(error)
        return None
    if market is None:
        batch.failed_symbols[symbol] = (
            f"{symbol} is not listed on {ctx.config.venue} (delisted or renamed?) "
            "after reloading markets"
        )
    return market


def in_window(ts: int | None, start_ms: int, end_ms: int) -> bool:
    return ts is not None and start_ms <= ts < end_ms


# ------------------------------------------------------------------ per-symbol loop

Row = dict[str, Any]
Candles = dict[int, list[Any]]
"""Open time (ms) -> [open time, open, high, low, close, volume]."""
Fetched = TypeVar("Fetched")


@dataclass(frozen=True, slots=True)
class Window:
    """One dataset of one venue being fetched over ``[start_ms, end_ms)``: the dataset's fetch
    and row mapper call the venue through ``ctx`` and add counters and problems to ``batch``."""

    ctx: VenueContext
    batch: DatasetBatch
    start_ms: int
    end_ms: int


@dataclass(frozen=True, slots=True)
class ResolvedSymbol:
    """A configured symbol, resolved to its ccxt market.

    Attributes:
        base: the base asset it is configured for (``BTC``).
        symbol: ccxt unified symbol.
        market: its ccxt market (contract size, inverse, the venue's interval metadata).
        columns: what each of its rows carries besides source, venue, symbol and base
            (``market_type``, ``kind``), placeholder rows included.
    """

    base: str
    symbol: str
    market: dict[str, Any]
    columns: Mapping[str, Any]

    def row(self, ctx: VenueContext, **values: Any) -> Row:
        """A raw-contract row of this symbol: identity columns first, then ``values``."""
        return {**base_row(ctx, self.symbol, self.base), **self.columns, **values}


Target = tuple[str, str, Mapping[str, Any]]
"""(base asset, ccxt symbol, columns of its rows): what :func:`each_symbol` resolves."""


def perp_targets(ctx: VenueContext, **columns: Any) -> list[Target]:
    return [(base, symbol, columns) for base, symbol in perps(ctx)]


def each_symbol(ctx: VenueContext, start_ms: int, end_ms: int, targets: Iterable[Target],
                fetch: Callable[[Window, ResolvedSymbol], tuple[Fetched, int]],
                to_rows: Callable[[Window, ResolvedSymbol, Fetched], list[Row]]) -> DatasetBatch:
    """The loop the per-symbol history datasets share (funding, premium index, daily candles,
    open interest, long/short), so that each fetcher only says what to ask for and how to map
    the answer.

    Per target: resolve the market (one not listed fails that symbol, not the dataset);
    ``fetch`` it, getting the data and the number of records ccxt's parser dropped (a ccxt
    error fails that symbol only, the others go on); put a placeholder row for every dropped
    record, so the landing quarantines and counts it; then map the data ``to_rows``.
    """
    window = Window(ctx, DatasetBatch(), start_ms, end_ms)
    batch = window.batch
    for base, symbol, columns in targets:
        market = resolve_market(ctx, batch, symbol)
        if market is None:
            continue
        target = ResolvedSymbol(base, symbol, market, columns)
        try:
            fetched, lost = fetch(window, target)
        except ccxt.BaseError as error:
            batch.failed_symbols[symbol] = error_text(error)
            continue
        batch.counts["parser_discarded"] += lost
        batch.rows.extend(placeholders(ctx, symbol, base, lost, columns))
        batch.rows.extend(to_rows(window, target, fetched))
    return batch


def paged(ctx: VenueContext, describe: str, method: Callable[..., list[Any]], symbol: str,
          args: tuple[Any, ...], dataset: str, start_ms: int, end_ms: int, limit: int,
          *, min_span_ms: int = HOUR_MS) -> SeriesResult:
    """A ccxt history method over ``[start, end)``, paged by :func:`fetch_series`.

    The history methods used here share the shape
    ``method(symbol, *args, since=, limit=, params=)`` (``args``: a timeframe, or nothing);
    ``dataset`` picks the venue's window parameters (``until`` or its own names).
    """
    return fetch_series(
        ctx, describe,
        lambda s, u, n: method(symbol, *args, since=s, limit=n,
                               params=ctx.window_params(dataset, s, u)),
        start_ms, end_ms, limit, min_span_ms=min_span_ms,
    )


def history_fetch(describe: str, dataset: str, default_limit: int,
                  method: Callable[..., list[Any]], *args: Any, offset_ms: int = 0,
                  min_span_ms: int = HOUR_MS,
                  ) -> Callable[[Window, ResolvedSymbol], tuple[list[Row], int]]:
    """The ``fetch`` of :func:`each_symbol` for one history method: its entries over the
    window (moved by ``offset_ms``), the pagination's problems recorded on the batch."""

    def fetch(window: Window, target: ResolvedSymbol) -> tuple[list[Row], int]:
        ctx = window.ctx
        series = paged(ctx, f"{describe} {target.symbol}", method, target.symbol, args, dataset,
                        window.start_ms + offset_ms, window.end_ms + offset_ms,
                        ctx.config.page_limit(dataset, default_limit), min_span_ms=min_span_ms)
        window.batch.problems.extend(series.problems)
        return series.entries, series.discarded_by_parser

    return fetch


def current_values(ctx: VenueContext, batch: DatasetBatch, symbols: list[str], has: str,
                   describe_all: str, fetch_all: Callable[[list[str]], dict[str, Row]],
                   describe_one: str, fetch_one: Callable[[str], Row]) -> dict[str, Row] | None:
    """Today's values of ``symbols``: one request for all where the venue has ``has`` (a ccxt
    ``has`` key), else one request per symbol. On a ccxt error every symbol fails (None)."""
    try:
        if ctx.exchange.has.get(has) in (True, "emulated"):
            return dict(ctx.call(describe_all, lambda: fetch_all(symbols)))
        return {s: ctx.call_symbol(f"{describe_one} {s}", lambda s=s: fetch_one(s))
                for s in symbols}
    except ccxt.BaseError as error:
        for symbol in symbols:
            batch.failed_symbols.setdefault(symbol, error_text(error))
        return None
