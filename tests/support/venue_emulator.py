"""Offline emulation of the five venues' public REST endpoints, in their documented formats.

Used by the tests and the benchmark through :mod:`tests.support.venue_loopback`: ccxt's real
request building and parsing run against these replies. Market metadata comes from real-shaped
fixtures in ``tests/fixtures/ccxt/<venue>/`` (exchangeInfo, instruments-info, instruments,
get_instruments, meta); time series are generated from a deterministic synthetic market and
shaped like the venues' documented payloads (field names, string-encoded numbers, envelope,
newest-first or oldest-first order, page caps, inclusive/exclusive window bounds), so the
window and paging rules of each venue are exercised too.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

FIXTURES_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "ccxt"
HOUR = 3_600_000
DAY = 24 * HOUR

BASE_PRICE = {"BTC": 90_000.0, "ETH": 3_000.0}
SPOT_VOLUME_SHARE = 0.28
"""Spot volume as a share of the perpetual's (the real BTC ratio is about 1 : 3.6)."""
SETTLEMENT_JITTER_MS = {"binance": 3, "hyperliquid": 31}
"""Venues stamp settlements a few ms late (Binance, Hyperliquid): ingestion must round."""


@cache
def fixture(venue: str, name: str, fixtures_dir: Path = FIXTURES_DIR) -> Any:
    with (fixtures_dir / venue / name).open() as handle:
        return json.load(handle)


def _s(x: float, digits: int = 8) -> str:
    return f"{x:.{digits}f}"


@dataclass
class SyntheticMarket:
    """Deterministic prices, funding, open interest and ratios as functions of time.

    ``schedules`` overrides a venue/base funding schedule: ``(lo, hi) -> [settlement ms]``
    (inclusive bounds), e.g. to switch 8 h -> 4 h -> 1 h mid-day.
    """

    intervals_h: dict[str, float] = field(
        default_factory=lambda: {"binance": 8, "bybit": 8, "okx": 8, "deribit": 1,
                                 "hyperliquid": 1}
    )
    schedules: dict[tuple[str, str], Callable[[int, int], list[int]]] = field(
        default_factory=dict
    )

    def price(self, base: str, t: int) -> float:
        days = t / DAY
        return BASE_PRICE[base] * (1 + 0.08 * math.sin(days / 23.0) + 0.01 * math.sin(t / HOUR))

    def index(self, base: str, t: int) -> float:
        return round(self.price(base, t), 2)

    def mark(self, venue: str, base: str, t: int) -> float:
        return round(self.price(base, t) * (1 + self.premium(venue, base, t)), 2)

    def premium(self, venue: str, base: str, t: int) -> float:
        salt = sum(map(ord, venue + base)) % 7
        return 0.0004 * math.sin(t / (5 * HOUR) + salt)

    def funding_rate(self, venue: str, base: str, t: int) -> float:
        salt = sum(map(ord, venue + base)) % 11
        rate = 0.0001 + 0.00008 * math.sin(t / (3 * DAY) + salt)
        interval = self.intervals_h.get(venue, 8)
        return round(rate * min(interval, 8) / 8, 8)

    def funding_times(self, venue: str, base: str, lo: int, hi: int) -> list[int]:
        """Settlement times (exact grid, before venue jitter) with ``lo <= t <= hi``."""
        custom = self.schedules.get((venue, base))
        if custom is not None:
            return [t for t in custom(lo, hi) if lo <= t <= hi]
        step = int(self.intervals_h.get(venue, 8) * HOUR)
        return grid(lo, hi, step)

    def oi_base(self, venue: str, base: str, t: int) -> float:
        size = {"BTC": 80_000.0, "ETH": 1_500_000.0}[base]
        share = {"binance": 1.0, "bybit": 0.6, "okx": 0.4, "deribit": 0.2, "hyperliquid": 0.3}
        return round(size * share.get(venue, 0.1) * (1 + 0.1 * math.sin(t / (7 * DAY))), 3)

    def ls_ratio(self, venue: str, base: str, t: int) -> float:
        return round(1.0 + 0.5 * math.sin(t / (11 * DAY) + len(venue)), 4)

    def candle(self, base: str, t: int, step: int, mult: float = 1.0,
               volume_mult: float = 1.0) -> tuple[float, ...]:
        """OHLCV of one bar; ``volume_mult`` sets a market's own volume (spot trades about a
        third of the perpetual), so a spot row fetched from the perp endpoint is caught."""
        o = self.price(base, t) * mult
        c = self.price(base, t + step) * mult
        hi = max(o, c) * 1.004
        lo = min(o, c) * 0.996
        vol = round(1000.0 * (1.5 + math.sin(t / DAY)) * volume_mult, 3) * (
            1 if base == "BTC" else 20)
        return round(o, 2), round(hi, 2), round(lo, 2), round(c, 2), vol


def grid(lo: int, hi: int, step: int) -> list[int]:
    """Multiples of ``step`` with ``lo <= t <= hi``."""
    first = -(-lo // step) * step
    return list(range(first, hi + 1, step)) if hi >= first else []


def _int(params: dict[str, Any], key: str) -> int | None:
    value = params.get(key)
    return None if value in (None, "") else int(value)


def _page(stamps: list[int], limit: int, newest_first: bool) -> list[int]:
    """The page a venue returns from matching stamps: newest-first venues return the latest
    ``limit`` ones, oldest-first venues the earliest."""
    if newest_first:
        return sorted(stamps, reverse=True)[:limit]
    return sorted(stamps)[:limit]


def _window(lo: int | None, hi: int | None, default_span: int, clock: int) -> tuple[int, int]:
    if lo is None and hi is None:
        return clock - default_span, clock
    if lo is None:
        return hi - default_span, hi  # type: ignore[operator]
    if hi is None:
        return lo, min(clock, lo + default_span)
    return lo, hi


Reply = tuple[int, Any, dict[str, str]]
"""(HTTP status, JSON body (or raw text), extra headers)."""


class VenueEmulator:
    """Base: routes ``(method, path)`` to handlers; ``clock`` is the venue's 'now' (ms)."""

    venue = ""
    routes: dict[tuple[str, str], str] = {}

    def __init__(self, market: SyntheticMarket, clock: Callable[[], int],
                 fixtures_dir: Path = FIXTURES_DIR) -> None:
        self.market = market
        self.clock = clock
        self.fixtures_dir = fixtures_dir
        self.markets_truncated_once = False
        self.hidden_symbols: set[str] = set()

    def fixture(self, name: str) -> Any:
        return json.loads(json.dumps(fixture(self.venue, name, self.fixtures_dir)))

    def handle(self, method: str, path: str, params: dict[str, Any]) -> Reply:
        name = self.routes.get((method, path))
        if name is None:
            return self.not_found(path)
        return getattr(self, name)(params)

    def not_found(self, path: str) -> Reply:
        return 404, {"error": f"no route {path}"}, {}

    def rate_limited(self, retry_after_s: float) -> Reply:
        return 429, {"error": "too many requests"}, {"Retry-After": str(math.ceil(retry_after_s))}

    def bases(self) -> tuple[str, ...]:
        return ("BTC", "ETH")


# ----------------------------------------------------------------------------- Binance


class BinanceEmulator(VenueEmulator):
    venue = "binance"
    routes = {
        ("GET", "/fapi/v1/exchangeInfo"): "exchange_info",
        ("GET", "/api/v3/exchangeInfo"): "spot_exchange_info",
        ("GET", "/fapi/v1/fundingRate"): "funding_rate",
        ("GET", "/fapi/v1/markPriceKlines"): "mark_klines",
        ("GET", "/fapi/v1/indexPriceKlines"): "index_klines",
        ("GET", "/fapi/v1/klines"): "perp_klines",
        ("GET", "/api/v3/klines"): "spot_klines",
        ("GET", "/futures/data/openInterestHist"): "oi_hist",
        ("GET", "/futures/data/globalLongShortAccountRatio"): "ls_ratio",
        ("GET", "/fapi/v1/premiumIndex"): "premium_index",
    }
    steps = {"1h": HOUR, "1d": DAY, "5m": 300_000, "8h": 8 * HOUR}

    def rate_limited(self, retry_after_s: float) -> Reply:
        return 429, {"code": -1003, "msg": "Too many requests; current limit of IP is 2400 "
                     "requests per minute."}, {"Retry-After": str(math.ceil(retry_after_s))}

    def exchange_info(self, params: dict[str, Any]) -> Reply:
        info = self.fixture("fapi_v1_exchangeInfo.json")
        info["symbols"] = [s for s in info["symbols"] if s["symbol"] not in self.hidden_symbols]
        if self.markets_truncated_once:
            self.markets_truncated_once = False
            info["symbols"] = info["symbols"][:1]
        return 200, info, {}

    def spot_exchange_info(self, params: dict[str, Any]) -> Reply:
        return 200, self.fixture("api_v3_exchangeInfo.json"), {}

    @staticmethod
    def _base(symbol: str) -> str:
        return symbol[:3]

    def _bounds(self, params: dict[str, Any], step: int, limit: int) -> tuple[int, int]:
        lo, hi = _int(params, "startTime"), _int(params, "endTime")
        return _window(lo, hi, step * limit, self.clock())

    def funding_rate(self, params: dict[str, Any]) -> Reply:
        symbol = params["symbol"]
        limit = min(int(params.get("limit", 100)), 1000)
        lo, hi = self._bounds(params, 8 * HOUR, limit)
        jitter = SETTLEMENT_JITTER_MS["binance"]
        base = self._base(symbol)
        stamps = [t for t in self.market.funding_times("binance", base, lo - jitter, hi - jitter)
                  if lo <= t + jitter <= hi]
        rows = [
            {"symbol": symbol, "fundingTime": t + jitter,
             "fundingRate": _s(self.market.funding_rate("binance", base, t)),
             "markPrice": _s(self.market.mark("binance", base, t))}
            for t in _page(stamps, limit, newest_first=params.get("startTime") is None)
        ]
        return 200, sorted(rows, key=lambda r: r["fundingTime"]), {}

    def _klines(self, params: dict[str, Any], price: Callable[[str, int, int], tuple]) -> Reply:
        step = self.steps[params["interval"]]
        limit = min(int(params.get("limit", 500)), 1500)
        lo, hi = self._bounds(params, step, limit)
        base = self._base(params.get("symbol") or params.get("pair"))
        stamps = _page(grid(lo, hi, step), limit, newest_first=params.get("startTime") is None)
        rows = []
        for t in sorted(stamps):
            o, h, low, c, v = price(base, t, step)
            rows.append([t, _s(o, 2), _s(h, 2), _s(low, 2), _s(c, 2), _s(v, 3), t + step - 1,
                         _s(v * c, 2), 1000, _s(v / 2, 3), _s(v * c / 2, 2), "0"])
        return 200, rows, {}

    def mark_klines(self, params: dict[str, Any]) -> Reply:
        return self._klines(params, lambda b, t, s: self.market.candle(
            b, t, s, 1 + self.market.premium("binance", b, t + s)))

    def index_klines(self, params: dict[str, Any]) -> Reply:
        return self._klines(params, lambda b, t, s: self.market.candle(b, t, s))

    def perp_klines(self, params: dict[str, Any]) -> Reply:
        symbol = params["symbol"]
        mult = 1.01 if "_" in symbol else 1.0005  # quarterlies trade at a premium
        return self._klines(params, lambda b, t, s: self.market.candle(b, t, s, mult))

    def spot_klines(self, params: dict[str, Any]) -> Reply:
        return self._klines(params, lambda b, t, s: self.market.candle(
            b, t, s, 0.9999, SPOT_VOLUME_SHARE))

    def _stats(self, params: dict[str, Any], row: Callable[[str, int], dict[str, Any]]) -> Reply:
        step = self.steps[params["period"]]
        limit = min(int(params.get("limit", 30)), 500)
        lo, hi = self._bounds(params, step, limit)
        stamps = _page(grid(lo, hi, step), limit, newest_first=params.get("startTime") is None)
        return 200, [row(params["symbol"], t) for t in sorted(stamps)], {}

    def oi_hist(self, params: dict[str, Any]) -> Reply:
        def row(symbol: str, t: int) -> dict[str, Any]:
            base = self._base(symbol)
            oi = self.market.oi_base("binance", base, t)
            return {"symbol": symbol, "sumOpenInterest": _s(oi),
                    "sumOpenInterestValue": _s(oi * self.market.index(base, t)),
                    "CMCCirculatingSupply": "19800000.000", "timestamp": t}
        return self._stats(params, row)

    def ls_ratio(self, params: dict[str, Any]) -> Reply:
        def row(symbol: str, t: int) -> dict[str, Any]:
            r = self.market.ls_ratio("binance", self._base(symbol), t)
            return {"symbol": symbol, "longAccount": _s(r / (1 + r), 4),
                    "longShortRatio": _s(r, 4), "shortAccount": _s(1 / (1 + r), 4),
                    "timestamp": t}
        return self._stats(params, row)

    def premium_index(self, params: dict[str, Any]) -> Reply:
        symbol = params.get("symbol", "BTCUSDT")
        base, now = self._base(symbol), self.clock()
        return 200, {
            "symbol": symbol, "markPrice": _s(self.market.mark("binance", base, now)),
            "indexPrice": _s(self.market.index(base, now)),
            "estimatedSettlePrice": _s(self.market.index(base, now)),
            "lastFundingRate": _s(self.market.funding_rate("binance", base, now)),
            "interestRate": "0.00010000", "nextFundingTime": (now // (8 * HOUR) + 1) * 8 * HOUR,
            "time": now,
        }, {}


# ------------------------------------------------------------------------------- Bybit


class BybitEmulator(VenueEmulator):
    venue = "bybit"
    routes = {
        ("GET", "/v5/market/instruments-info"): "instruments",
        ("GET", "/v5/market/funding/history"): "funding_history",
        ("GET", "/v5/market/mark-price-kline"): "mark_kline",
        ("GET", "/v5/market/index-price-kline"): "index_kline",
        ("GET", "/v5/market/kline"): "kline",
        ("GET", "/v5/market/open-interest"): "open_interest",
        ("GET", "/v5/market/account-ratio"): "account_ratio",
    }
    intervals = {"60": HOUR, "D": DAY, "1h": HOUR, "1d": DAY, "5min": 300_000, "4h": 4 * HOUR}

    def envelope(self, result: dict[str, Any]) -> dict[str, Any]:
        return {"retCode": 0, "retMsg": "OK", "result": result, "retExtInfo": {},
                "time": self.clock()}

    def rate_limited(self, retry_after_s: float) -> Reply:
        # Bybit signals its limit as HTTP 200 with retCode 10006 and a reset timestamp.
        reset = self.clock() + int(retry_after_s * 1000)
        return 200, {"retCode": 10006, "retMsg": "Too many visits!", "result": {},
                     "retExtInfo": {}, "time": self.clock()}, {
            "X-Bapi-Limit-Status": "0", "X-Bapi-Limit": "600",
            "X-Bapi-Limit-Reset-Timestamp": str(reset)}

    def instruments(self, params: dict[str, Any]) -> Reply:
        category = params.get("category")
        if params.get("status") == "PreLaunch":
            return 200, self.envelope({"category": category, "list": [],
                                       "nextPageCursor": ""}), {}
        body = self.fixture(f"v5_market_instruments_info_{category}.json")
        body["result"]["list"] = [m for m in body["result"]["list"]
                                  if m["symbol"] not in self.hidden_symbols]
        body["time"] = self.clock()
        return 200, body, {}

    @staticmethod
    def _base(symbol: str) -> str:
        return symbol[:3]

    def funding_history(self, params: dict[str, Any]) -> Reply:
        symbol = params["symbol"]
        limit = min(int(params.get("limit", 200)), 200)
        lo, hi = _window(_int(params, "startTime"), _int(params, "endTime"), 200 * 8 * HOUR,
                         self.clock())
        base = self._base(symbol)
        stamps = _page(self.market.funding_times("bybit", base, lo, hi), limit, newest_first=True)
        rows = [{"symbol": symbol, "fundingRate": _s(self.market.funding_rate("bybit", base, t)),
                 "fundingRateTimestamp": str(t)} for t in stamps]
        return 200, self.envelope({"category": params.get("category"), "list": rows}), {}

    def _kline(self, params: dict[str, Any], price: Callable[[str, int, int], tuple],
               with_volume: bool) -> Reply:
        step = self.intervals[params["interval"]]
        limit = min(int(params.get("limit", 200)), 1000)
        lo, hi = _window(_int(params, "start"), _int(params, "end"), step * limit, self.clock())
        base = self._base(params["symbol"])
        rows = []
        for t in _page(grid(lo, hi, step), limit, newest_first=True):
            o, h, low, c, v = price(base, t, step)
            row = [str(t), _s(o, 2), _s(h, 2), _s(low, 2), _s(c, 2)]
            if with_volume:
                row += [_s(v, 3), _s(v * c, 2)]
            rows.append(row)
        return 200, self.envelope({"symbol": params["symbol"], "category": params.get("category"),
                                   "list": rows}), {}

    def mark_kline(self, params: dict[str, Any]) -> Reply:
        return self._kline(params, lambda b, t, s: self.market.candle(
            b, t, s, 1 + self.market.premium("bybit", b, t + s)), False)

    def index_kline(self, params: dict[str, Any]) -> Reply:
        return self._kline(params, lambda b, t, s: self.market.candle(b, t, s), False)

    def kline(self, params: dict[str, Any]) -> Reply:
        spot = params.get("category") == "spot"
        mult, vmult = (0.9999, SPOT_VOLUME_SHARE) if spot else (1.0004, 1.0)
        return self._kline(params, lambda b, t, s: self.market.candle(b, t, s, mult, vmult),
                           True)

    def open_interest(self, params: dict[str, Any]) -> Reply:
        step = self.intervals[params["intervalTime"]]
        limit = min(int(params.get("limit", 50)), 200)
        lo, hi = _window(_int(params, "startTime"), _int(params, "endTime"), step * limit,
                         self.clock())
        base = self._base(params["symbol"])
        rows = [{"openInterest": _s(self.market.oi_base("bybit", base, t)), "timestamp": str(t)}
                for t in _page(grid(lo, hi, step), limit, newest_first=True)]
        return 200, self.envelope({"symbol": params["symbol"], "category": params.get("category"),
                                   "list": rows, "nextPageCursor": ""}), {}

    def account_ratio(self, params: dict[str, Any]) -> Reply:
        step = self.intervals[params["period"]]
        limit = min(int(params.get("limit", 50)), 500)
        lo, hi = _window(_int(params, "startTime"), _int(params, "endTime"), step * limit,
                         self.clock())
        base = self._base(params["symbol"])
        rows = []
        for t in _page(grid(lo, hi, step), limit, newest_first=True):
            r = self.market.ls_ratio("bybit", base, t)
            rows.append({"symbol": params["symbol"], "buyRatio": _s(r / (1 + r), 4),
                         "sellRatio": _s(1 / (1 + r), 4), "timestamp": str(t)})
        return 200, self.envelope({"list": rows, "nextPageCursor": ""}), {}


# --------------------------------------------------------------------------------- OKX


class OkxEmulator(VenueEmulator):
    venue = "okx"
    routes = {
        ("GET", "/api/v5/public/instruments"): "instruments",
        ("GET", "/api/v5/public/funding-rate-history"): "funding_history",
        ("GET", "/api/v5/market/mark-price-candles"): "mark_candles",
        ("GET", "/api/v5/market/history-mark-price-candles"): "mark_candles",
        ("GET", "/api/v5/market/index-candles"): "index_candles",
        ("GET", "/api/v5/market/history-index-candles"): "index_candles",
        ("GET", "/api/v5/market/candles"): "candles",
        ("GET", "/api/v5/market/history-candles"): "candles",
        ("GET", "/api/v5/rubik/stat/contracts/open-interest-history"): "oi_history",
        ("GET", "/api/v5/rubik/stat/contracts/long-short-account-ratio-contract"): "ls_ratio",
    }
    bars = {"1H": HOUR, "1D": DAY, "1Dutc": DAY, "5m": 300_000}

    def rate_limited(self, retry_after_s: float) -> Reply:
        return 429, {"code": "50011", "data": [], "msg": "Too Many Requests"}, {}

    def instruments(self, params: dict[str, Any]) -> Reply:
        body = self.fixture(f"api_v5_public_instruments_{params['instType']}.json")
        body["data"] = [m for m in body["data"] if m["instId"] not in self.hidden_symbols]
        return 200, body, {}

    @staticmethod
    def _base(inst: str) -> str:
        return inst.split("-")[0]

    def _open_bounds(self, params: dict[str, Any], lo_key: str, hi_key: str, step: int,
                     limit: int) -> tuple[int, int]:
        """OKX bounds are exclusive: before/begin < t < after/end."""
        lo, hi = _int(params, lo_key), _int(params, hi_key)
        lo = None if lo is None else lo + 1
        hi = None if hi is None else hi - 1
        return _window(lo, hi, step * limit, self.clock())

    def funding_history(self, params: dict[str, Any]) -> Reply:
        inst = params["instId"]
        limit = min(int(params.get("limit", 100)), 400)
        lo, hi = self._open_bounds(params, "before", "after", 8 * HOUR, limit)
        base = self._base(inst)
        stamps = _page(self.market.funding_times("okx", base, lo, hi), limit, newest_first=True)
        rows = []
        for t in stamps:
            rate = _s(self.market.funding_rate("okx", base, t))
            rows.append({"formulaType": "withRate", "fundingRate": rate, "fundingTime": str(t),
                         "instId": inst, "instType": "SWAP", "method": "current_period",
                         "realizedRate": rate})
        return 200, {"code": "0", "data": rows, "msg": ""}, {}

    def _candles(self, params: dict[str, Any], price: Callable[[str, int, int], tuple],
                 full: bool) -> Reply:
        step = self.bars[params["bar"]]
        limit = min(int(params.get("limit", 100)), 300)
        lo, hi = self._open_bounds(params, "before", "after", step, limit)
        base = self._base(params["instId"])
        spot = params["instId"].count("-") == 1
        rows = []
        for t in _page(grid(lo, hi, step), limit, newest_first=True):
            o, h, low, c, v = price(base, t, step)
            row = [str(t), _s(o, 2), _s(h, 2), _s(low, 2), _s(c, 2)]
            if not full:
                row += ["1"]
            elif spot:  # OKX: spot ``vol`` is in base currency, ``volCcy`` in quote
                row += [_s(v, 3), _s(v * c, 2), _s(v * c, 2), "1"]
            else:  # derivatives: ``vol`` in contracts, ``volCcy`` in base currency
                row += [_s(v * 100, 0), _s(v, 3), _s(v * c, 2), "1"]
            rows.append(row)
        return 200, {"code": "0", "data": rows, "msg": ""}, {}

    def mark_candles(self, params: dict[str, Any]) -> Reply:
        return self._candles(params, lambda b, t, s: self.market.candle(
            b, t, s, 1 + self.market.premium("okx", b, t + s)), False)

    def index_candles(self, params: dict[str, Any]) -> Reply:
        return self._candles(params, lambda b, t, s: self.market.candle(b, t, s), False)

    def candles(self, params: dict[str, Any]) -> Reply:
        inst = params["instId"]
        spot = inst.count("-") == 1
        mult = 1.0 if spot else (1.0003 if inst.endswith("SWAP") else 1.012)
        vmult = SPOT_VOLUME_SHARE if spot else 1.0
        return self._candles(params, lambda b, t, s: self.market.candle(b, t, s, mult, vmult),
                             True)

    def oi_history(self, params: dict[str, Any]) -> Reply:
        step = self.bars[params["period"]]
        limit = min(int(params.get("limit", 100)), 100)
        lo, hi = self._open_bounds(params, "begin", "end", step, limit)
        inst = params["instId"]
        base = self._base(inst)
        ct_val = 0.01 if base == "BTC" else 0.1
        rows = []
        for t in _page(grid(lo, hi, step), limit, newest_first=True):
            oi = self.market.oi_base("okx", base, t)
            rows.append([str(t), _s(oi / ct_val, 2), _s(oi, 4),
                         _s(oi * self.market.index(base, t), 2)])
        return 200, {"code": "0", "data": rows, "msg": ""}, {}

    def ls_ratio(self, params: dict[str, Any]) -> Reply:
        step = self.bars[params.get("period", "5m")]
        limit = min(int(params.get("limit", 100)), 100)
        lo, hi = self._open_bounds(params, "begin", "end", step, limit)
        base = self._base(params["instId"])
        rows = [[str(t), repr(self.market.ls_ratio("okx", base, t))]
                for t in _page(grid(lo, hi, step), limit, newest_first=True)]
        return 200, {"code": "0", "data": rows, "msg": ""}, {}


# ----------------------------------------------------------------------------- Deribit


class DeribitEmulator(VenueEmulator):
    venue = "deribit"
    routes = {
        ("GET", "/api/v2/public/get_instruments"): "instruments",
        ("GET", "/api/v2/public/get_funding_rate_history"): "funding_history",
        ("GET", "/api/v2/public/get_tradingview_chart_data"): "chart",
        ("GET", "/api/v2/public/ticker"): "ticker",
        ("GET", "/api/v2/public/get_book_summary_by_instrument"): "book_summary",
    }
    resolutions = {"60": HOUR, "1D": DAY}

    def envelope(self, result: Any) -> dict[str, Any]:
        now_us = self.clock() * 1000
        return {"jsonrpc": "2.0", "result": result, "usIn": now_us, "usOut": now_us + 151,
                "usDiff": 151, "testnet": False}

    def rate_limited(self, retry_after_s: float) -> Reply:
        return 429, {"jsonrpc": "2.0", "error": {"message": "too_many_requests", "code": 10028},
                     "testnet": False}, {}

    def instruments(self, params: dict[str, Any]) -> Reply:
        body = self.fixture("public_get_instruments.json")
        body["result"] = [m for m in body["result"]
                          if m["instrument_name"] not in self.hidden_symbols]
        return 200, body, {}

    @staticmethod
    def _base(name: str) -> str:
        return name.split("-")[0]

    def funding_history(self, params: dict[str, Any]) -> Reply:
        name = params["instrument_name"]
        base = self._base(name)
        lo, hi = int(params["start_timestamp"]), int(params["end_timestamp"])
        rows = []
        for t in sorted(self.market.funding_times("deribit", base, lo, hi))[:744]:
            rate_1h = self.market.funding_rate("deribit", base, t)
            rows.append({"timestamp": t, "index_price": self.market.index(base, t),
                         "prev_index_price": self.market.index(base, t - HOUR),
                         "interest_8h": round(rate_1h * 8, 10), "interest_1h": rate_1h})
        return 200, self.envelope(rows), {}

    def chart(self, params: dict[str, Any]) -> Reply:
        name = params["instrument_name"]
        base = self._base(name)
        step = self.resolutions[params["resolution"]]
        lo, hi = int(params["start_timestamp"]), int(params["end_timestamp"])
        mult = 1.0002 if name.endswith("PERPETUAL") else 1.011
        ticks = grid(lo, hi, step)[:5000]
        cols: dict[str, list[Any]] = {k: [] for k in ("open", "high", "low", "close", "volume",
                                                       "cost")}
        for t in ticks:
            o, h, low, c, v = self.market.candle(base, t, step, mult)
            for k, x in zip(("open", "high", "low", "close", "volume", "cost"),
                            (o, h, low, c, v / 10, v * c / 10), strict=True):
                cols[k].append(x)
        return 200, self.envelope({"ticks": ticks, "status": "ok" if ticks else "no_data",
                                   **cols}), {}

    def ticker(self, params: dict[str, Any]) -> Reply:
        name = params["instrument_name"]
        base, now = self._base(name), self.clock()
        mark = self.market.mark("deribit", base, now)
        return 200, self.envelope({
            "timestamp": now, "state": "open", "instrument_name": name,
            "index_price": self.market.index(base, now), "mark_price": mark,
            "last_price": mark, "best_bid_price": mark - 0.5, "best_ask_price": mark + 0.5,
            "best_bid_amount": 1000.0, "best_ask_amount": 1000.0, "min_price": mark * 0.97,
            "max_price": mark * 1.03, "settlement_price": mark,
            "open_interest": self.market.oi_base("deribit", base, now) * mark,
            "current_funding": 0.0, "funding_8h": self.market.funding_rate("deribit", base, now),
            "estimated_delivery_price": self.market.index(base, now),
            "stats": {"volume_usd": 1.0e8, "volume": 1000.0, "price_change": 0.5,
                      "low": mark * 0.98, "high": mark * 1.02},
        }), {}

    def book_summary(self, params: dict[str, Any]) -> Reply:
        name = params["instrument_name"]
        base, now = self._base(name), self.clock()
        mark = self.market.mark("deribit", base, now)
        return 200, self.envelope([{
            "high": mark * 1.02, "low": mark * 0.98, "last": mark, "instrument_name": name,
            "bid_price": mark - 0.5, "ask_price": mark + 0.5,
            "open_interest": round(self.market.oi_base("deribit", base, now) * mark, 0),
            "mark_price": mark, "creation_timestamp": now, "price_change": -0.3,
            "volume": 7377.18657991, "estimated_delivery_price": self.market.index(base, now),
            "base_currency": base, "quote_currency": "USD", "volume_usd": 661040250.0,
            "volume_notional": 661040250.0, "current_funding": 0.00012966,
            "funding_8h": self.market.funding_rate("deribit", base, now), "mid_price": mark,
        }]), {}


# ------------------------------------------------------------------------- Hyperliquid


class HyperliquidEmulator(VenueEmulator):
    venue = "hyperliquid"
    routes = {("POST", "/info"): "info"}

    def handle(self, method: str, path: str, params: dict[str, Any]) -> Reply:
        if (method, path) != ("POST", "/info"):
            return self.not_found(path)
        kind = params.get("type")
        handler = {"metaAndAssetCtxs": self.meta_and_ctxs, "fundingHistory": self.funding,
                   "candleSnapshot": self.candles}.get(str(kind))
        if handler is None:
            return 422, f"Failed to deserialize the JSON body into the target type: {kind}", {}
        return handler(params)

    def rate_limited(self, retry_after_s: float) -> Reply:
        return 429, None, {}

    def meta_and_ctxs(self, params: dict[str, Any]) -> Reply:
        meta = self.fixture("info_meta.json")
        meta["universe"] = [u for u in meta["universe"] if u["name"] not in self.hidden_symbols]
        now = self.clock()
        ctxs = []
        for u in meta["universe"]:
            base = u["name"]
            mark = self.market.mark("hyperliquid", base, now)
            ctxs.append({
                "funding": _s(self.market.funding_rate("hyperliquid", base, now)),
                "openInterest": _s(self.market.oi_base("hyperliquid", base, now), 4),
                "prevDayPx": _s(self.market.index(base, now - DAY), 1),
                "dayNtlVlm": "1709813.11535", "premium": _s(self.market.premium("hyperliquid",
                                                                                 base, now)),
                "oraclePx": _s(self.market.index(base, now), 1), "markPx": _s(mark, 1),
                "midPx": _s(mark, 2), "impactPxs": [_s(mark - 0.1, 1), _s(mark + 0.1, 1)],
                "dayBaseVlm": "721.6",
            })
        return 200, [meta, ctxs], {}

    def funding(self, params: dict[str, Any]) -> Reply:
        coin = params["coin"]
        lo = int(params.get("startTime", 0))
        hi = int(params.get("endTime") or self.clock())
        jitter = SETTLEMENT_JITTER_MS["hyperliquid"]
        stamps = [t for t in self.market.funding_times("hyperliquid", coin, lo - jitter,
                                                       hi - jitter)][:500]
        return 200, [{"coin": coin, "fundingRate": _s(self.market.funding_rate("hyperliquid",
                                                                              coin, t)),
                      "premium": _s(self.market.premium("hyperliquid", coin, t)),
                      "time": t + jitter} for t in stamps], {}

    def candles(self, params: dict[str, Any]) -> Reply:
        req = params["req"]
        coin, interval = req["coin"], req["interval"]
        step = {"1h": HOUR, "1d": DAY}[interval]
        rows = []
        for t in grid(int(req["startTime"]), int(req["endTime"]), step)[:5000]:
            o, h, low, c, v = self.market.candle(coin, t, step, 1.0003)
            rows.append({"t": t, "T": t + step - 1, "s": coin, "i": interval, "o": _s(o, 1),
                         "c": _s(c, 1), "h": _s(h, 1), "l": _s(low, 1), "v": _s(v, 4),
                         "n": 12345})
        return 200, rows, {}


EMULATORS: dict[str, type[VenueEmulator]] = {
    cls.venue: cls
    for cls in (BinanceEmulator, BybitEmulator, OkxEmulator, DeribitEmulator, HyperliquidEmulator)
}
