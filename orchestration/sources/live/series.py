"""Fetching one time series from a venue, completely, for a UTC window.

Three traps shape this module (STACK.md):

* Pagination is venue-specific (forward cursors, newest-first pages, caps of 100-1,000 rows) and
  ccxt's ``paginate=True`` stops silently on an empty or truncated page. Instead of following
  cursors, :func:`fetch_series` asks for the whole window; a full page is a block at one end
  of it, so the rest of the window is asked for next, whatever order the venue pages in. A
  short page is the proof that a window is exhausted.
* ccxt's parsers drop rows without a timestamp or with a foreign symbol. The raw item count of
  every reply is compared with what ccxt returned; the difference becomes placeholder rows
  (venue and symbol only) that the landing quarantines, so the loss is counted, not silent.
* A truncated market list makes every later call raise ``BadSymbol``: markets are reloaded once
  before a symbol is declared missing.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import ccxt

from orchestration.sources.live.config import (
    WINDOW_END,
    WINDOW_START,
    WINDOW_UNTIL,
    VenueConfig,
    spot_config,
)
from orchestration.sources.live.retry import RetryPolicy, RetryStats, call_with_retry

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
MAX_CALLS_PER_SERIES = 96


def day_start_ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


def ms_to_datetime(ms: int | float) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=int(ms))


def round_ms(ms: int, unit_ms: int) -> int:
    """Round to the nearest ``unit_ms`` (settlement stamps jitter by milliseconds)."""
    return ((int(ms) + unit_ms // 2) // unit_ms) * unit_ms


def days_in(start_ms: int, end_ms: int) -> list[date]:
    first = ms_to_datetime(start_ms).date()
    return [first + timedelta(days=i) for i in range((end_ms - start_ms) // DAY_MS)]


def raw_items(payload: Any) -> list[Any] | None:
    """The records of a venue reply, for the common envelope shapes (None: unknown)."""
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict):
        result = payload.get("result")
        if isinstance(result, dict):
            for key in ("list", "ticks"):
                if isinstance(result.get(key), list):
                    return result[key]
        for candidate in (result, payload.get("data")):
            if isinstance(candidate, list):
                return candidate
    return None


def raw_item_count(payload: Any) -> int | None:
    items = raw_items(payload)
    return None if items is None else len(items)


RAW_TIME_KEYS = ("timestamp", "fundingTime", "fundingRateTimestamp", "time", "ts", "t",
                 "openTime", "start")


def raw_stamp(item: Any) -> int | None:
    """Best-effort time of a raw record (venue field names differ); None if it has none."""
    value: Any = None
    if isinstance(item, dict):
        value = next((item[k] for k in RAW_TIME_KEYS if item.get(k) not in (None, "")), None)
    elif isinstance(item, list | tuple) and item:
        value = item[0]
    elif isinstance(item, int | str):
        value = item
    try:
        return int(float(value)) if value is not None else None
    except (TypeError, ValueError):
        return None


@dataclass
class VenueContext:
    """One venue's client plus the bookkeeping of a fetch (requests, retries, reloads)."""

    config: VenueConfig
    exchange: ccxt.Exchange
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    rng: random.Random = field(default_factory=random.Random)
    stats: RetryStats = field(default_factory=RetryStats)
    markets_reloaded: bool = False
    spot_exchange: ccxt.Exchange | None = None
    _spot_view: VenueContext | None = field(default=None, repr=False)

    @property
    def requests(self) -> int:
        clients = (self.exchange, self.spot_exchange)
        return sum(int(getattr(c, "pf_requests", 0)) for c in clients if c is not None)

    def spot(self) -> VenueContext:
        """The context to fetch spot symbols through: the venue's spot client where it has
        its own (Binance ``/api/v3``), sharing this fetch's retry statistics; else ``self``."""
        if self.spot_exchange is None:
            return self
        if self._spot_view is None:
            self._spot_view = VenueContext(spot_config(self.config), self.spot_exchange,
                                           self.policy, self.rng, self.stats)
        return self._spot_view

    def call(self, describe: str, fn: Callable[[], Any]) -> Any:
        return call_with_retry(
            fn, policy=self.policy, venue=self.config.venue, exchange=self.exchange,
            stats=self.stats, rng=self.rng, describe=f"{self.config.venue} {describe}",
        )

    def load_markets(self) -> None:
        self.call("load markets", self.exchange.load_markets)

    def reload_markets_once(self) -> bool:
        """Reload the market list once per fetch; True when a reload happened now."""
        if self.markets_reloaded:
            return False
        self.markets_reloaded = True
        self.call("reload markets", lambda: self.exchange.load_markets(reload=True))
        return True

    def market(self, symbol: str) -> dict[str, Any] | None:
        """The ccxt market of ``symbol``; reloads the list once before giving up on it (a
        spot client loads its list on first use)."""
        if self.exchange.markets is None:
            self.load_markets()
        markets = self.exchange.markets or {}
        if symbol in markets:
            return markets[symbol]
        if self.reload_markets_once() and symbol in (self.exchange.markets or {}):
            return self.exchange.markets[symbol]
        return None

    def call_symbol(self, describe: str, fn: Callable[[], Any]) -> Any:
        """A call about one symbol: on ``BadSymbol`` reload markets once and try again."""
        try:
            return self.call(describe, fn)
        except ccxt.BadSymbol:
            if not self.reload_markets_once():
                raise
            return self.call(describe, fn)

    def window_params(self, dataset: str, since: int, until: int) -> dict[str, Any]:
        """Params for a window: unified ``until`` unless the venue needs its own names."""
        extra = self.config.window_params.get(dataset)
        if not extra:
            return {"until": until}
        values = {WINDOW_START: since, WINDOW_UNTIL: until, WINDOW_END: until + 1}
        return {name: values[which] for name, which in extra}

    def response_time_ms(self) -> int | None:
        """The venue's clock at the last reply (HTTP ``Date``), for undated current values."""
        headers = getattr(self.exchange, "last_response_headers", None) or {}
        value = headers.get("Date") or headers.get("date")
        if not value:
            return None
        try:
            return int(parsedate_to_datetime(value).timestamp() * 1000)
        except (TypeError, ValueError):
            return None


@dataclass
class SeriesResult:
    """Entries of one series over a window, plus what normalising them did."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    discarded_by_parser: int = 0
    calls: int = 0
    problems: list[str] = field(default_factory=list)


def _stamp(entry: Any) -> int | None:
    value = entry.get("timestamp") if isinstance(entry, dict) else (
        entry[0] if isinstance(entry, list | tuple) and entry else None)
    return int(value) if isinstance(value, int | float) else None


def _discarded(raw: list[Any] | None, page: list[Any], lo: int, hi: int) -> int:
    """Records of the window the venue sent but ccxt's parser did not return (a missing
    time stamp, a foreign symbol). Records outside the window are ccxt's legitimate
    filtering (some venues' lower bound is ``since - 1``) and do not count."""
    if raw is None:
        return 0

    def in_window(stamp: int | None) -> bool:
        return stamp is None or lo <= stamp < hi

    sent = sum(1 for item in raw if in_window(raw_stamp(item)))
    parsed = sum(1 for entry in page if in_window(_stamp(entry)))
    return max(0, sent - parsed)


def fetch_series(
    ctx: VenueContext,
    describe: str,
    call: Callable[[int, int, int], list[Any]],
    start_ms: int,
    end_ms: int,
    limit: int,
    *,
    min_span_ms: int = HOUR_MS,
) -> SeriesResult:
    """All entries with ``start_ms <= t < end_ms`` of one series (points >= ``min_span_ms``
    apart).

    ``call(since, until_inclusive, limit)`` makes one ccxt request. A short page proves the
    window complete. A full page is a contiguous block at one end of the window (venues page
    oldest-first or newest-first): it is kept, and the parts of the window on either side of
    it are asked for next. No venue-specific cursor is needed, and a page that is full but
    covers nothing (a venue ignoring the window) falls back to halving the window.
    """
    result = SeriesResult()
    pending = [(start_ms, end_ms)]
    while pending:
        lo, hi = pending.pop(0)
        if result.calls >= MAX_CALLS_PER_SERIES:
            result.problems.append(f"{describe}: pagination stopped after {result.calls} calls")
            break
        page = ctx.call_symbol(describe, lambda lo=lo, hi=hi: call(lo, hi - 1, limit))
        result.calls += 1
        page = list(page or [])
        result.discarded_by_parser += _discarded(
            raw_items(getattr(ctx.exchange, "pf_last_payload", None)), page, lo, hi)
        result.entries.extend(page)
        if len(page) < limit:
            continue
        inside = [t for e in page if (t := _stamp(e)) is not None and lo <= t < hi]
        if inside:
            first, last = min(inside), max(inside)
            # Another point fits before ``first`` / after ``last`` only if a whole spacing
            # does (stamps carry the same few ms of jitter, so spacings stay exact).
            if first - lo >= min_span_ms:
                pending.append((lo, first))
            if hi - last > min_span_ms:
                pending.append((last + 1, hi))
        elif hi - lo > 2 * min_span_ms:
            mid = lo + (hi - lo) // 2
            pending[:0] = [(lo, mid), (mid, hi)]
        else:
            result.problems.append(f"{describe}: a full page with nothing in its window")
    return result


def normalise_entries(
    entries: list[dict[str, Any]],
    key: Callable[[dict[str, Any]], Any],
    counts: Counter[str],
) -> list[dict[str, Any]]:
    """Sort by ``key``; identical repeats are merged (counted), conflicting ones kept.

    Conflicting duplicates (same key, different values) are passed on: the landing keeps the
    first and quarantines the rest as ``duplicate key``, so both versions stay inspectable.
    """
    keys = [key(e) for e in entries]
    counts["reordered"] += sum(
        1 for a, b in zip(keys, keys[1:], strict=False)
        if a is not None and b is not None and b < a
    )
    indexed = sorted(
        range(len(entries)),
        key=lambda i: (keys[i] is None, keys[i] if keys[i] is not None else 0, i),
    )
    kept: list[dict[str, Any]] = []
    seen: dict[Any, list[dict[str, Any]]] = {}
    for i in indexed:
        entry = entries[i]
        k = keys[i]
        if k is not None and k in seen:
            if any(_same(entry, other) for other in seen[k]):
                counts["duplicates_merged"] += 1
                continue
            counts["conflicting_duplicates"] += 1
        seen.setdefault(k, []).append(entry)
        kept.append(entry)
    return kept


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    strip = ("info", "datetime")
    return {k: v for k, v in a.items() if k not in strip} == {
        k: v for k, v in b.items() if k not in strip
    }
