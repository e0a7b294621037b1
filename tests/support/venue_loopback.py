"""A loopback HTTP server (127.0.0.1, random port) serving the venue emulators.

Point a venue's ``urls['api']`` at ``server.url(venue)`` (``LiveFetcher(api_urls=...)`` or the
resource's ``api_urls``) and ccxt runs its real request building, HTTP handling, error
mapping and parsing against it. The server adds what tests and the benchmark need:

* a request log (venue, path, params, status) to count requests and prove resumption;
* a fault plan: replies with a given status (429 + ``Retry-After``, 5xx), delays beyond the
  client timeout, truncated or empty bodies, transformations of the records (NaN, negative,
  duplicate, shuffled rows, empty pages), a venue that is down;
* optional server-side token buckets emulating each venue's published rate limit, answering
  in the venue's own rate-limit dialect (Binance 429 + Retry-After, Bybit HTTP 200 retCode
  10006, OKX 429 code 50011, Deribit 429 error 10028, Hyperliquid 429);
* a settable venue clock (HTTP ``Date`` header and "current" values).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from orchestration.sources.live.config import RateLimitRule, VenueConfig
from tests.support.venue_emulator import EMULATORS, SyntheticMarket, VenueEmulator


@dataclass
class Fault:
    """One misbehaviour, applied to matching requests ``times`` times (None = always).

    Attributes:
        venue: venue it applies to.
        path_contains: substring of the REST path ('' = every path).
        kind: ``status`` (reply ``status`` with ``body``/``headers``), ``delay`` (sleep
            ``delay_s`` then answer normally), ``truncate`` (cut the body in half), ``empty_body``
            (HTTP 200, no body), ``transform`` (apply ``transform`` to the decoded reply),
            ``drop`` (close the connection without answering).
        match: optional predicate on the request params.
    """

    venue: str
    path_contains: str = ""
    kind: str = "status"
    times: int | None = 1
    status: int = 503
    body: Any = "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    transform: Callable[[Any], Any] | None = None
    match: Callable[[dict[str, Any]], bool] | None = None
    hits: int = 0

    def applies(self, venue: str, path: str, params: dict[str, Any]) -> bool:
        if venue != self.venue or self.path_contains not in path:
            return False
        if self.times is not None and self.hits >= self.times:
            return False
        return self.match is None or bool(self.match(params))


@dataclass(frozen=True, slots=True)
class RequestRecord:
    venue: str
    method: str
    path: str
    params: dict[str, Any]
    status: int
    at: float


class TokenBucket:
    """Server-side emulation of one published limit (capacity per window, refilled evenly)."""

    def __init__(self, rule: RateLimitRule) -> None:
        self.rule = rule
        self.tokens = rule.capacity
        self.updated = time.monotonic()
        self.served_weight = 0.0
        self.lock = threading.Lock()

    def take(self) -> float:
        """0 when the request may pass, else seconds until it could."""
        with self.lock:
            now = time.monotonic()
            rate = self.rule.capacity / self.rule.per_seconds
            self.tokens = min(self.rule.capacity, self.tokens + (now - self.updated) * rate)
            self.updated = now
            if self.tokens >= self.rule.cost:
                self.tokens -= self.rule.cost
                self.served_weight += self.rule.cost
                return 0.0
            return (self.rule.cost - self.tokens) / rate


def records_of(body: Any) -> list[Any] | None:
    """The record list inside a venue reply (same envelopes ccxt reads)."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        result = body.get("result")
        if isinstance(result, dict) and isinstance(result.get("list"), list):
            return result["list"]
        for candidate in (result, body.get("data")):
            if isinstance(candidate, list):
                return candidate
    return None


def map_records(fn: Callable[[list[Any]], list[Any]]) -> Callable[[Any], Any]:
    """A ``transform`` that rewrites the record list of a reply, keeping its envelope."""

    def transform(body: Any) -> Any:
        if isinstance(body, list):
            return fn(list(body))
        if isinstance(body, dict):
            result = body.get("result")
            if isinstance(result, dict) and isinstance(result.get("list"), list):
                return {**body, "result": {**result, "list": fn(list(result["list"]))}}
            if isinstance(result, list):
                return {**body, "result": fn(list(result))}
            if isinstance(body.get("data"), list):
                return {**body, "data": fn(list(body["data"]))}
        return body

    return transform


class LoopbackServer:
    """The emulated venues on ``http://127.0.0.1:<port>/<venue>/...``."""

    def __init__(
        self,
        venues: list[str] | None = None,
        *,
        market: SyntheticMarket | None = None,
        clock_ms: int | None = None,
        rate_limits: dict[str, tuple[RateLimitRule, ...]] | None = None,
    ) -> None:
        self.market = market or SyntheticMarket()
        self.clock_ms = clock_ms
        self.emulators: dict[str, VenueEmulator] = {
            v: EMULATORS[v](self.market, self.now_ms) for v in (venues or list(EMULATORS))
        }
        self.faults: list[Fault] = []
        self.down: set[str] = set()
        self.requests: list[RequestRecord] = []
        self.buckets: dict[str, list[TokenBucket]] = {
            v: [TokenBucket(r) for r in rules] for v, rules in (rate_limits or {}).items()
        }
        self.rate_limited: dict[str, int] = {}
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> LoopbackServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

            def date_time_string(self, timestamp: float | None = None) -> str:
                return formatdate(server.now_ms() / 1000, usegmt=True)

            def do_GET(self) -> None:  # noqa: N802
                server._serve(self, "GET")

            def do_POST(self) -> None:  # noqa: N802
                server._serve(self, "POST")

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return int(self._httpd.server_address[1])

    def url(self, venue: str) -> str:
        return f"http://127.0.0.1:{self.port}/{venue}"

    def urls(self) -> dict[str, str]:
        return {v: self.url(v) for v in self.emulators}

    def now_ms(self) -> int:
        return self.clock_ms if self.clock_ms is not None else int(time.time() * 1000)

    # -- inspection --------------------------------------------------------------------

    def count(self, venue: str | None = None, path_contains: str = "",
              where: Callable[[RequestRecord], bool] | None = None) -> int:
        with self._lock:
            return sum(
                1 for r in self.requests
                if (venue is None or r.venue == venue) and path_contains in r.path
                and (where is None or where(r))
            )

    def add_fault(self, fault: Fault) -> Fault:
        self.faults.append(fault)
        return fault

    def served_weight(self, venue: str) -> dict[str, float]:
        return {b.rule.path_prefix or "*": b.served_weight for b in self.buckets.get(venue, [])}

    # -- serving -----------------------------------------------------------------------

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        segments = parts.path.split("/", 2)
        venue = segments[1] if len(segments) > 1 else ""
        path = "/" + (segments[2] if len(segments) > 2 else "")
        params: dict[str, Any] = dict(parse_qsl(parts.query))
        length = int(handler.headers.get("Content-Length") or 0)
        if length:
            raw = handler.rfile.read(length)
            with contextlib.suppress(ValueError, TypeError):
                params.update(json.loads(raw))
        status, payload, headers = self._reply(venue, method, path, params, handler)
        if status < 0:  # drop the connection
            handler.close_connection = True
            return
        with self._lock:
            self.requests.append(RequestRecord(venue, method, path, params, status, time.time()))
        body = payload if isinstance(payload, bytes) else (
            payload.encode() if isinstance(payload, str) else json.dumps(payload).encode())
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", headers.pop("Content-Type", "application/json"))
            handler.send_header("Content-Length", str(len(body)))
            for key, value in headers.items():
                handler.send_header(key, value)
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _reply(self, venue: str, method: str, path: str, params: dict[str, Any],
               handler: BaseHTTPRequestHandler) -> tuple[int, Any, dict[str, str]]:
        emulator = self.emulators.get(venue)
        if emulator is None or venue in self.down:
            return 503, "<html>503 Service Unavailable</html>", {"Content-Type": "text/html"}
        fault = next((f for f in self.faults if f.applies(venue, path, params)), None)
        if fault is not None:
            fault.hits += 1
            if fault.kind == "status":
                body = fault.body
                ctype = "application/json" if not isinstance(body, str) else "text/html"
                return fault.status, body, {"Content-Type": ctype, **fault.headers}
            if fault.kind == "drop":
                return -1, b"", {}
            if fault.kind == "delay":
                time.sleep(fault.delay_s)
        for bucket in self.buckets.get(venue, []):
            if path.startswith(bucket.rule.path_prefix):
                wait = bucket.take()
                if wait > 0:
                    with self._lock:
                        self.rate_limited[venue] = self.rate_limited.get(venue, 0) + 1
                    status, body, headers = emulator.rate_limited(wait)
                    return status, body, dict(headers)
        status, body, headers = emulator.handle(method, path, params)
        headers = dict(headers)
        if fault is not None and fault.kind == "transform" and fault.transform is not None:
            body = fault.transform(body)
        if fault is not None and fault.kind in ("truncate", "empty_body"):
            text = json.dumps(body)
            return status, (text[: len(text) // 2] if fault.kind == "truncate" else ""), headers
        return status, body, headers


def rate_limit_rules(configs: list[VenueConfig]) -> dict[str, tuple[RateLimitRule, ...]]:
    """The published limits of ``configs``, for ``LoopbackServer(rate_limits=...)``."""
    return {c.venue: c.rate_limits for c in configs}
