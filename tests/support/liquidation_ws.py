"""A loopback server speaking the venues' liquidation streams (and their market REST load).

One ``websockets`` server on 127.0.0.1 answers, per venue, the documented formats:

- Binance USD-M: ``GET /fapi/v1/exchangeInfo``; WebSocket ``/market/ws/<n>`` taking
  ``{"method": "SUBSCRIBE", "params": ["btcusdt@forceOrder"], "id": N}``, acknowledged with
  ``{"result": null, "id": N}``, pushing ``{"e": "forceOrder", "E": .., "o": {"s", "S", "o",
  "f", "q", "p", "ap", "X", "l", "z", "T"}}`` (developers.binance.com, Liquidation Order Streams).
- Bybit v5: ``GET /v5/market/instruments-info``; WebSocket ``/v5/public/linear`` taking
  ``{"op": "subscribe", "args": ["allLiquidation.BTCUSDT"], "req_id": ..}``, acknowledged with
  ``{"success": true, "ret_msg": "", "op": "subscribe", ..}``, pushing ``{"topic":
  "allLiquidation.BTCUSDT", "type": "snapshot", "ts": .., "data": [{"T", "s", "S", "v", "p"}]}``;
  ``{"op": "ping"}`` is answered with a pong.
- OKX v5: ``GET /api/v5/public/instruments``; WebSocket ``/ws/v5/public`` taking ``{"op":
  "subscribe", "args": [{"channel": "liquidation-orders", "instType": "SWAP"}]}``, acknowledged
  with ``{"event": "subscribe", "arg": {..}, "connId": ..}``, pushing ``{"arg": {..}, "data":
  [{"instId", "instType", "instFamily", "uly", "details": [{"bkLoss", "bkPx", "ccy",
  "posSide", "side", "sz", "ts"}]}]}``; the text ``ping`` is answered with ``pong``.

Market payloads are the recorded fixtures in ``tests/fixtures/ccxt/<venue>/``. Tests push frames
(``push``), drop connections (``drop``) or refuse a venue (``refuse``); everything is counted.
The server runs in its own thread (``start``/``stop``) so a collector subprocess can use it.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ccxt"
WS_VENUE_BY_PATH = {"/market/ws": "binance", "/v5/public/linear": "bybit", "/ws/v5/public": "okx"}


def _fixture(venue: str, name: str) -> Any:
    return json.loads((FIXTURES / venue / name).read_text())


def binance_frame(symbol_id: str, side: str, qty: float, price: float, ts_ms: int) -> str:
    """A ``forceOrder`` event; ``side`` is the forced order's side (SELL = long liquidated)."""
    return json.dumps({
        "e": "forceOrder", "E": ts_ms + 2,
        "o": {"s": symbol_id, "S": side, "o": "LIMIT", "f": "IOC", "q": f"{qty}",
              "p": f"{price * 0.999:.2f}", "ap": f"{price}", "X": "FILLED", "l": f"{qty}",
              "z": f"{qty}", "T": ts_ms},
    })


def bybit_frame(symbol_id: str, events: Iterable[tuple[str, float, float, int]]) -> str:
    """An ``allLiquidation`` snapshot of events (side, size, price, ts); Buy = long liquidated."""
    data = [{"T": ts, "s": symbol_id, "S": side, "v": f"{size}", "p": f"{price}"}
            for side, size, price, ts in events]
    return json.dumps({"topic": f"allLiquidation.{symbol_id}", "type": "snapshot",
                       "ts": max(e["T"] for e in data) + 3, "data": data})


def okx_frame(inst_id: str, details: Iterable[tuple[str, float, float, int]]) -> str:
    """A ``liquidation-orders`` push: details (side, contracts, bankruptcy price, ts)."""
    family = inst_id.removesuffix("-SWAP")
    rows = [{"bkLoss": "0", "bkPx": f"{px}", "ccy": "", "posSide": "long" if s == "sell"
             else "short", "side": s, "sz": f"{sz}", "ts": f"{ts}"} for s, sz, px, ts in details]
    return json.dumps({"arg": {"channel": "liquidation-orders", "instType": "SWAP"},
                       "data": [{"details": rows, "instFamily": family, "instId": inst_id,
                                 "instType": "SWAP", "uly": family}]})


@dataclass
class Counters:
    connections: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    subscriptions: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))
    frames_sent: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    http: list[str] = field(default_factory=list)


class LiquidationStreamServer:
    """The loopback venue streams. ``url`` is ``http://127.0.0.1:<port>``; the same host serves
    REST (``--api-url VENUE=url``) and WebSocket (``--ws-url VENUE=ws://...``)."""

    def __init__(self) -> None:
        self.counters = Counters()
        self.refused: set[str] = set()
        self._subscribed: dict[str, set[ServerConnection]] = defaultdict(set)
        self._backlog: dict[str, list[str]] = defaultdict(list)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self.port = 0

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> LiquidationStreamServer:
        self._thread = threading.Thread(target=self._run, name="liquidation-ws", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("loopback liquidation server did not start")
        return self

    def stop(self) -> None:
        if self._loop and self._stop:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread:
            self._thread.join(10)

    def __enter__(self) -> LiquidationStreamServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with serve(self._handler, "127.0.0.1", 0, process_request=self._http,
                         ping_interval=None) as server:
            self.port = next(iter(server.sockets)).getsockname()[1]
            self._ready.set()
            await self._stop.wait()

    # -- controls (thread-safe) --------------------------------------------------------------

    def _call(self, fn: Any, *args: Any) -> None:
        assert self._loop is not None
        asyncio.run_coroutine_threadsafe(fn(*args), self._loop).result(10)

    def push(self, venue: str, *frames: str) -> None:
        """Send frames to every subscribed connection of ``venue`` (queued until one is)."""
        self._call(self._push, venue, list(frames))

    def drop(self, venue: str) -> None:
        """Close every connection of ``venue`` (the collector must reconnect)."""
        self._call(self._drop, venue)

    def refuse(self, venue: str) -> None:
        """Reject ``venue``'s WebSocket handshakes from now on (a venue that never connects)."""
        self.refused.add(venue)

    def subscribed(self, venue: str) -> int:
        return len(self._subscribed[venue])

    async def _push(self, venue: str, frames: list[str]) -> None:
        targets = list(self._subscribed[venue])
        if not targets:
            self._backlog[venue].extend(frames)
            return
        for frame in frames:
            for ws in targets:
                try:
                    await ws.send(frame)
                    self.counters.frames_sent[venue] += 1
                except Exception:  # noqa: BLE001 - a closed socket: the frame is lost, as live
                    self._subscribed[venue].discard(ws)

    async def _drop(self, venue: str) -> None:
        for ws in list(self._subscribed[venue]):
            await ws.close()
        self._subscribed[venue].clear()

    # -- HTTP (market load) ------------------------------------------------------------------

    def _http(self, connection: ServerConnection, request: Request) -> Response | None:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            venue = self._ws_venue(request.path)
            if venue in self.refused or venue is None:
                return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE, "refused\n")
            return None
        parts = urlsplit(request.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self.counters.http.append(request.path)
        body = self._rest(parts.path, query)
        if body is None:
            return connection.respond(HTTPStatus.NOT_FOUND, "{}")
        data = json.dumps(body).encode()
        headers = Headers([("Content-Type", "application/json"),
                           ("Content-Length", str(len(data)))])
        return Response(200, "OK", headers, data)

    @staticmethod
    def _rest(path: str, query: dict[str, str]) -> Any:
        if path == "/fapi/v1/exchangeInfo":
            return _fixture("binance", "fapi_v1_exchangeInfo.json")
        if path == "/v5/market/instruments-info":
            body = _fixture("bybit", f"v5_market_instruments_info_{query.get('category')}.json")
            if query.get("status") == "PreLaunch":
                body["result"]["list"] = []
            return body
        if path == "/api/v5/public/instruments":
            return _fixture("okx", f"api_v5_public_instruments_{query.get('instType')}.json")
        return None

    # -- WebSocket ---------------------------------------------------------------------------

    @staticmethod
    def _ws_venue(path: str) -> str | None:
        for prefix, venue in WS_VENUE_BY_PATH.items():
            if urlsplit(path).path.startswith(prefix):
                return venue
        return None

    async def _handler(self, ws: ServerConnection) -> None:
        venue = self._ws_venue(ws.request.path if ws.request else "")
        if venue is None:
            await ws.close(1008, "unknown path")
            return
        self.counters.connections[venue] += 1
        try:
            async for message in ws:
                await self._on_message(venue, ws, message)
        except Exception:  # noqa: BLE001 - the client went away
            pass
        finally:
            self._subscribed[venue].discard(ws)

    async def _on_message(self, venue: str, ws: ServerConnection, message: str | bytes) -> None:
        if message == "ping":  # OKX text ping
            await ws.send("pong")
            return
        request = json.loads(message)
        if venue == "binance" and request.get("method") == "SUBSCRIBE":
            self.counters.subscriptions[venue].append(request["params"])
            await ws.send(json.dumps({"result": None, "id": request["id"]}))
        elif venue == "bybit" and request.get("op") == "ping":
            await ws.send(json.dumps({"success": True, "ret_msg": "pong", "conn_id": "loop",
                                      "req_id": request.get("req_id", ""), "op": "ping"}))
            return
        elif venue == "bybit" and request.get("op") == "subscribe":
            self.counters.subscriptions[venue].append(request["args"])
            await ws.send(json.dumps({"success": True, "ret_msg": "", "conn_id": "loop",
                                      "req_id": request.get("req_id", ""), "op": "subscribe"}))
        elif venue == "okx" and request.get("op") == "subscribe":
            self.counters.subscriptions[venue].append(request["args"])
            for arg in request["args"]:
                await ws.send(json.dumps({"event": "subscribe", "arg": arg, "connId": "loop"}))
        else:
            return
        self._subscribed[venue].add(ws)
        backlog, self._backlog[venue] = self._backlog[venue], []
        if backlog:
            await self._push(venue, backlog)
