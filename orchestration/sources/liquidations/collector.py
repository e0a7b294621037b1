"""The long-running liquidation collector on ccxt.pro: one asyncio task per venue.

Why it is built the way it is (STACK.md, "ccxt.pro traps"):

- ccxt.pro does not reconnect by itself: a closed socket raises ``NetworkError`` from the
  pending watch call. Each venue task reconnects with a bounded, jittered exponential backoff
  (``stamina``: ``backoff_initial_s`` doubling up to ``backoff_max_s``); a session that stayed
  up ``stable_after_s`` resets the backoff. A venue failing never touches the other tasks.
- A watch call returns only part of a multi-event frame; the rest lands in
  ``exchange.liquidations`` only. After every wake-up the task drains that cache
  (``list(cache)`` then ``cache.clear()``) instead of trusting the return value.
- Duplicates and schema-broken events are not filtered by ccxt: ``normalise`` validates,
  :class:`StreamStore` dedupes (in memory and against the files of the current and previous
  hour, so a restart never duplicates rows).
- A truncated or HTML frame can stall the receive loop silently: a watchdog recycles the
  connection when no frame arrived for ``stale_after_s`` (a quiet market costs one cheap
  reconnect per interval; connected seconds keep counting across it).

Files are flushed every ``flush_seconds`` (<= 60) and on SIGTERM/SIGINT, so a SIGKILL loses at
most one flush interval. Each venue logs one line per UTC hour.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import ccxt
import ccxt.pro
import stamina

from orchestration.sources.liquidations.normalise import normalise
from orchestration.sources.liquidations.store import HourCoverage, StreamStore, hour_start
from orchestration.sources.liquidations.venues import EXCHANGE_IDS, MARKET_TYPES

log = logging.getLogger("perp_fragility.liquidations")

CACHE_LIMIT = 50_000
"""``options['liquidationsLimit']``: the cache must hold a whole burst between two drains."""


class StaleStream(ccxt.NetworkError):
    """No frame for longer than the watchdog allows: the connection is recycled."""


RECONNECTABLE: tuple[type[BaseException], ...] = (ccxt.NetworkError, ccxt.ExchangeError, OSError)


def describe(exc: BaseException) -> str:
    """``Type: first line`` of an error, for logs and the venue state."""
    text = str(exc).splitlines()[0][:200] if str(exc) else ""
    return f"{type(exc).__name__}: {text}"


@dataclass(frozen=True, slots=True)
class CollectorSettings:
    """What to collect and how (``perp-fragility collect-liquidations``)."""

    symbols: dict[str, tuple[str, ...]]
    """venue -> ccxt unified perpetual symbols (with their base asset in ``bases``)."""
    bases: dict[str, dict[str, str]]
    data_root: Path
    api_urls: dict[str, str] = field(default_factory=dict)
    ws_urls: dict[str, str] = field(default_factory=dict)
    flush_seconds: float = 30.0
    stale_after_s: float = 120.0
    backoff_initial_s: float = 1.0
    backoff_max_s: float = 60.0
    stable_after_s: float = 60.0
    timeout_ms: int = 10_000

    @property
    def venues(self) -> tuple[str, ...]:
        return tuple(self.symbols)


def replace_host(value: Any, base_url: str) -> Any:
    """Replace scheme and host of every URL in ``value`` with ``base_url``, keeping paths."""
    if isinstance(value, dict):
        return {k: replace_host(v, base_url) for k, v in value.items()}
    if isinstance(value, str) and "://" in value:
        return base_url.rstrip("/") + urlsplit(value).path
    return value


def build_exchange(venue: str, settings: CollectorSettings) -> ccxt.pro.Exchange:
    """The venue's ccxt.pro client, REST and WebSocket hosts re-pointed when configured."""
    exchange_id = EXCHANGE_IDS[venue]
    exchange = getattr(ccxt.pro, exchange_id)(
        {
            "enableRateLimit": True,
            "timeout": settings.timeout_ms,
            "has": {"fetchCurrencies": False},
            "options": {
                "fetchMarkets": {"types": MARKET_TYPES[venue]},
                "liquidationsLimit": CACHE_LIMIT,
            },
        }
    )
    api = exchange.urls["api"]
    if venue in settings.api_urls:
        rest = {k: v for k, v in api.items() if k != "ws"} if isinstance(api, dict) else {}
        api.update(replace_host(rest, settings.api_urls[venue]))
    if venue in settings.ws_urls:
        api["ws"] = replace_host(api["ws"], settings.ws_urls[venue])
    return exchange


@dataclass
class VenueState:
    """The live state of one venue task, read by the flusher."""

    connected_since: float | None = None
    last_error: str = ""
    sessions: int = 0


class Collector:
    """Runs every venue task, the periodic flush and the clean stop."""

    def __init__(self, settings: CollectorSettings, session: str | None = None) -> None:
        self.settings = settings
        self.session = session or f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
        self.store = StreamStore(settings.data_root, self.session)
        self.state = {venue: VenueState() for venue in settings.venues}
        self.stop = asyncio.Event()
        self._logged_hour: datetime | None = None

    # -- accounting --------------------------------------------------------------------------

    def _credit(self, venue: str, now: float) -> None:
        state = self.state[venue]
        if state.connected_since is not None:
            self.store.credit_connected(venue, state.connected_since, now)
            state.connected_since = now

    def flush(self) -> int:
        now = time.time()
        for venue in self.settings.venues:
            self._credit(venue, now)
        self._log_hours(datetime.fromtimestamp(now, tz=UTC))
        return self.store.flush(datetime.fromtimestamp(now, tz=UTC))

    def _log_hours(self, now: datetime) -> None:
        """One line per venue when a UTC hour has ended (before its coverage is pruned)."""
        hour = hour_start(now)
        if self._logged_hour is None:
            self._logged_hour = hour
            return
        if hour == self._logged_hour:
            return
        done = self._logged_hour
        self._logged_hour = hour
        for venue in self.settings.venues:
            cov = self.store.coverage.get((venue, done), HourCoverage())
            log.info(
                "liquidations %s %s: %d events, %d rejected, %d duplicates, %d frames, "
                "%.0f s connected, %d reconnects%s",
                venue, f"{done:%Y-%m-%dT%H}:00Z", cov.events, cov.rejected, cov.duplicates,
                cov.messages, cov.seconds_connected, cov.reconnects,
                f", last error: {self.state[venue].last_error}" if self.state[venue].last_error
                else "",
            )

    # -- one venue ---------------------------------------------------------------------------

    def _watchers(
        self, exchange: ccxt.pro.Exchange, symbols: list[str]
    ) -> dict[str, Callable[[], Coroutine[Any, Any, Any]]]:
        if exchange.has.get("watchLiquidationsForSymbols") is True:
            return {"all": lambda: exchange.watch_liquidations_for_symbols(symbols)}
        return {s: (lambda s=s: exchange.watch_liquidations(s)) for s in symbols}

    def _drain(self, venue: str, exchange: ccxt.pro.Exchange, bases: dict[str, str],
               sizes: dict[str, float]) -> None:
        cache = exchange.liquidations
        if not cache:
            return
        items = list(cache)
        cache.clear()
        received = datetime.now(UTC)
        for item in items:
            for event in normalise(venue, item, bases, sizes):
                self.store.add(event, received)

    async def _session(self, venue: str, exchange: ccxt.pro.Exchange) -> None:
        """Subscribe and receive until an error; returns normally after a stable session."""
        state = self.state[venue]
        if exchange.markets is None:
            await exchange.load_markets()
        wanted = list(self.settings.symbols[venue])
        symbols = [s for s in wanted if s in exchange.markets]
        if not symbols:
            raise ccxt.BadSymbol(f"none of {wanted} is listed")
        bases = {s: self.settings.bases[venue][s] for s in symbols}
        sizes = {s: exchange.markets[s].get("contractSize") or 1.0 for s in symbols}
        began = time.time()
        state.connected_since = began
        state.sessions += 1
        watchers = self._watchers(exchange, symbols)
        pending: dict[str, asyncio.Future[Any]] = {}
        try:
            while not self.stop.is_set():
                for name, start in watchers.items():
                    if name not in pending:
                        pending[name] = asyncio.ensure_future(start())
                done, _ = await asyncio.wait(
                    pending.values(), timeout=self.settings.stale_after_s,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                if not done:
                    raise StaleStream(f"no frame for {self.settings.stale_after_s:.0f} s")
                for name in [n for n, f in pending.items() if f in done]:
                    future = pending.pop(name)
                    future.result()  # raises NetworkError when the socket closed
                self._drain(venue, exchange, bases, sizes)
        except RECONNECTABLE as exc:
            self._drain(venue, exchange, bases, sizes)
            state.last_error = describe(exc)
            if time.time() - began < self.settings.stable_after_s:
                raise
            log.warning("liquidations %s: stream ended after a stable session (%s); "
                        "reconnecting", venue, state.last_error)
        finally:
            for future in pending.values():
                future.cancel()
            self._credit(venue, time.time())
            state.connected_since = None
            await exchange.close()

    async def run_venue(self, venue: str) -> None:
        """Collect one venue until stopped; reconnects forever with bounded backoff."""
        exchange = build_exchange(venue, self.settings)
        self.store.source_of[venue] = f"ccxt.pro:{EXCHANGE_IDS[venue]}"
        first = True
        try:
            while not self.stop.is_set():
                async for attempt in stamina.retry_context(
                    on=RECONNECTABLE, attempts=None, timeout=None,
                    wait_initial=self.settings.backoff_initial_s,
                    wait_max=self.settings.backoff_max_s,
                    wait_jitter=self.settings.backoff_initial_s,
                ):
                    with attempt:
                        if self.stop.is_set():
                            return
                        if not first:
                            self.store.count_reconnect(venue, datetime.now(UTC))
                        first = False
                        try:
                            await self._session(venue, exchange)
                        except RECONNECTABLE as exc:
                            self.state[venue].last_error = describe(exc)
                            log.warning("liquidations %s: %s (attempt %d); reconnecting",
                                        venue, self.state[venue].last_error, attempt.num)
                            raise
        finally:
            await exchange.close()

    # -- the process -------------------------------------------------------------------------

    async def _flush_loop(self) -> None:
        while not self.stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), timeout=self.settings.flush_seconds)
            self.flush()

    async def run(self, duration_s: float | None = None, install_signals: bool = True) -> int:
        """Collect until SIGTERM/SIGINT (or ``duration_s``); final flush; rows written."""
        loop = asyncio.get_running_loop()
        if install_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, self.stop.set)
        loaded = self.store.load_seen(list(self.settings.venues), datetime.now(UTC))
        log.info("liquidation collector %s: venues %s, %d keys already on disk, flush every "
                 "%.0f s, data %s", self.session, ",".join(self.settings.venues), loaded,
                 self.settings.flush_seconds, self.settings.data_root)
        tasks = [asyncio.create_task(self.run_venue(v), name=f"liq-{v}")
                 for v in self.settings.venues]
        flusher = asyncio.create_task(self._flush_loop(), name="liq-flush")
        try:
            if duration_s is None:
                await self.stop.wait()
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stop.wait(), timeout=duration_s)
        finally:
            self.stop.set()
            for task in tasks:
                task.cancel()
            results = await asyncio.gather(*tasks, return_exceptions=True)
            for venue, result in zip(self.settings.venues, results, strict=True):
                if isinstance(result, BaseException) and not isinstance(
                    result, asyncio.CancelledError
                ):
                    log.error("liquidations %s stopped: %s", venue, result)
            await flusher
            self.flush()
        log.info("liquidation collector %s stopped: %d rows written", self.session,
                 self.store.flushed_rows)
        return self.store.flushed_rows

