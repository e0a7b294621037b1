"""The liquidation collector against loopback venue streams, through ccxt.pro's real parsing.

No network: ``tests/support/liquidation_ws.py`` speaks Binance ``forceOrder``, Bybit
``allLiquidation`` and OKX ``liquidation-orders`` (subscription, acks, pushes, pings) and serves
the recorded market fixtures for the REST market load. Every case is bounded in time.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from orchestration.landing import landing
from orchestration.landing.raw_schemas import LIQUIDATION_COVERAGE, LIQUIDATIONS
from orchestration.sources.liquidations.collector import Collector, CollectorSettings
from orchestration.sources.liquidations.compaction import compact_stream_day
from orchestration.sources.liquidations.store import read_stream_day
from tests.support.liquidation_ws import (
    LiquidationStreamServer,
    binance_frame,
    bybit_frame,
    okx_frame,
)

pytestmark = pytest.mark.timeout(120)
VENUES = ("binance", "bybit", "okx")
SYMBOLS = ("BTC/USDT:USDT", "ETH/USDT:USDT")


@pytest.fixture
def server():
    with LiquidationStreamServer() as srv:
        yield srv


def _settings(server: LiquidationStreamServer, root: Path, **overrides) -> CollectorSettings:
    values = dict(
        symbols={v: SYMBOLS for v in VENUES},
        bases={v: {"BTC/USDT:USDT": "BTC", "ETH/USDT:USDT": "ETH"} for v in VENUES},
        data_root=root,
        api_urls={v: server.http_url for v in VENUES},
        ws_urls={v: server.ws_url for v in VENUES},
        flush_seconds=0.5,
        stale_after_s=3.0,
        backoff_initial_s=0.1,
        backoff_max_s=0.5,
        stable_after_s=30.0,
    )
    values.update(overrides)
    return CollectorSettings(**values)


def _now_ms() -> int:
    return int(time.time() * 1000)


async def _until(predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


def _subscribed(server: LiquidationStreamServer, venues=VENUES) -> Callable[[], bool]:
    def ready() -> bool:
        return all(
            server.subscribed(v)
            and len(server.counters.subscriptions[v]) >= (2 if v == "bybit" else 1)
            for v in venues
        )
    return ready


async def _push(server: LiquidationStreamServer, venue: str, *frames: str) -> None:
    await asyncio.to_thread(server.push, venue, *frames)


def _rows(root: Path):
    events, coverage, quarantined = read_stream_day(root, datetime.now(UTC).date())
    return events.to_pylist(), coverage.to_pylist(), quarantined


def test_normal_flow_maps_sides_units_and_whole_bursts(server, tmp_path):
    """Each venue's side convention and units; a multi-event Bybit frame is fully counted."""
    collector = Collector(_settings(server, tmp_path), session="t1")

    async def scenario() -> None:
        task = asyncio.create_task(collector.run(install_signals=False))
        await _until(_subscribed(server))
        t = _now_ms()
        await _push(server, "binance", binance_frame("BTCUSDT", "SELL", 0.5, 60000.0, t),
                    binance_frame("ETHUSDT", "BUY", 2.0, 3000.0, t + 1))
        await _push(server, "bybit", bybit_frame("BTCUSDT", [("Buy", 0.1, 60000, t),
                                                             ("Sell", 0.2, 60010, t + 5),
                                                             ("Buy", 0.3, 60020, t + 6)]))
        await _push(server, "okx", okx_frame("BTC-USDT-SWAP", [("sell", 10, 59990, t),
                                                              ("buy", 5, 60050, t + 7)]))
        await _until(lambda: sum(c.events for c in collector.store.coverage.values()) >= 7)
        collector.stop.set()
        await task

    asyncio.run(scenario())
    events, coverage, quarantined = _rows(tmp_path)
    got = sorted((r["venue"], r["symbol"], r["side"], r["price"], r["amount_base"]) for r in events)
    assert got == sorted([
        ("binance", "BTC/USDT:USDT", "long", 60000.0, 0.5),  # SELL = a long liquidated
        ("binance", "ETH/USDT:USDT", "short", 3000.0, 2.0),
        ("bybit", "BTC/USDT:USDT", "long", 60000.0, 0.1),  # Buy = a long liquidated
        ("bybit", "BTC/USDT:USDT", "short", 60010.0, 0.2),
        ("bybit", "BTC/USDT:USDT", "long", 60020.0, 0.3),
        ("okx", "BTC/USDT:USDT", "long", 59990.0, 0.1),  # 10 contracts x ctVal 0.01 BTC
        ("okx", "BTC/USDT:USDT", "short", 60050.0, 0.05),
    ])
    assert {r["source"] for r in events} == {
        "ccxt.pro:binanceusdm", "ccxt.pro:bybit", "ccxt.pro:okx"}
    assert {r["capture"] for r in events} == {"stream"}
    assert quarantined == 0
    by_venue = {r["venue"]: r for r in coverage}
    assert set(by_venue) == set(VENUES)
    assert by_venue["bybit"]["events"] == 3 and by_venue["okx"]["events"] == 2
    assert all(0 < r["seconds_connected"] <= 3600 for r in coverage)
    assert server.counters.subscriptions["binance"] == [
        ["btcusdt@forceOrder", "ethusdt@forceOrder"]]
    assert sorted(map(tuple, server.counters.subscriptions["bybit"])) == [
        ("allLiquidation.BTCUSDT",), ("allLiquidation.ETHUSDT",)]


def test_disconnect_reconnect_duplicates_out_of_order_and_malformed(server, tmp_path):
    """A dropped socket is reconnected and resubscribed; a duplicate frame is one row;
    out-of-order times are kept and sorted at compaction; a schema-broken event is
    quarantined and counted; a truncated frame does not stop the venue."""
    collector = Collector(_settings(server, tmp_path), session="t2")
    t = _now_ms()

    async def scenario() -> None:
        task = asyncio.create_task(collector.run(install_signals=False))
        await _until(_subscribed(server))
        first = binance_frame("BTCUSDT", "SELL", 1.0, 61000.0, t + 50)
        await _push(server, "binance", first, first)  # duplicate
        await _push(server, "binance", binance_frame("BTCUSDT", "SELL", 1.5, 61010.0, t + 10))
        await _until(lambda: collector.store.coverage and sum(
            c.events for (v, _), c in collector.store.coverage.items() if v == "binance") >= 2)
        connections = server.counters.connections["binance"]
        await asyncio.to_thread(server.drop, "binance")
        await _until(lambda: server.counters.connections["binance"] > connections
                     and server.subscribed("binance"))
        # schema-broken: no price, amount or time in "o"
        await _push(server, "binance", '{"e":"forceOrder","E":1,"o":{"s":"BTCUSDT","S":"SELL"}}')
        await _until(lambda: sum(
            c.rejected for (v, _), c in collector.store.coverage.items() if v == "binance") >= 1)
        # a truncated frame stops ccxt's receive loop silently: the watchdog must recycle it
        connections = server.counters.connections["binance"]
        await _push(server, "binance", '{"e":"forceOrder","E":1,"o":{"s":"BTCUS')
        await _until(lambda: server.counters.connections["binance"] > connections
                     and server.subscribed("binance"))
        await _push(server, "binance", binance_frame("ETHUSDT", "BUY", 3.0, 3100.0, t + 20))
        await _until(lambda: sum(
            c.events for (v, _), c in collector.store.coverage.items() if v == "binance") >= 3)
        collector.stop.set()
        await task

    asyncio.run(scenario())
    events, coverage, quarantined = _rows(tmp_path)
    binance = [r for r in events if r["venue"] == "binance"]
    assert len(binance) == 3  # the duplicate dropped, the post-reconnect event kept
    btc = [r for r in binance if r["symbol"] == "BTC/USDT:USDT"]
    # arrived t+50 then t+10: both kept, compaction sorts them
    assert [r["amount_base"] for r in btc] == [1.5, 1.0]
    assert btc[0]["liquidated_at"] < btc[1]["liquidated_at"]
    cov = {r["venue"]: r for r in coverage}
    assert cov["binance"]["reconnects"] >= 2  # the drop, then the watchdog
    assert cov["binance"]["rejected"] == 1
    assert quarantined == 1


def test_a_venue_that_never_connects_does_not_stop_the_others(server, tmp_path):
    server.refuse("okx")
    collector = Collector(_settings(server, tmp_path), session="t3")

    async def scenario() -> None:
        task = asyncio.create_task(collector.run(install_signals=False))
        await _until(_subscribed(server, ("binance", "bybit")))
        await _push(server, "bybit", bybit_frame("ETHUSDT", [("Sell", 1.0, 3000, _now_ms())]))
        await _until(lambda: any(
            c.events for (v, _), c in collector.store.coverage.items() if v == "bybit"))
        await _until(lambda: any(
            c.reconnects >= 2 for (v, _), c in collector.store.coverage.items() if v == "okx"))
        collector.stop.set()
        await task

    asyncio.run(scenario())
    events, coverage, _ = _rows(tmp_path)
    assert [r["venue"] for r in events] == ["bybit"]
    okx = [r for r in coverage if r["venue"] == "okx"]
    assert okx and okx[0]["events"] == 0 and okx[0]["reconnects"] >= 2
    assert okx[0]["seconds_connected"] < 5
    assert "okx" in collector.state and collector.state["okx"].last_error


def test_compaction_twice_gives_the_same_bytes(server, tmp_path):
    collector = Collector(_settings(server, tmp_path), session="t4")

    async def scenario() -> None:
        task = asyncio.create_task(collector.run(install_signals=False))
        await _until(_subscribed(server))
        t = _now_ms()
        await _push(server, "bybit", bybit_frame("BTCUSDT", [("Buy", 0.1 * i, 60000 + i, t - i)
                                                             for i in range(1, 30)]))
        await _until(lambda: collector.store.flushed_rows >= 29)
        collector.stop.set()
        await task

    asyncio.run(scenario())
    day = datetime.now(UTC).date()
    digests = []
    for _ in range(2):
        stream = compact_stream_day(tmp_path, day)
        a = landing.land_partition(LIQUIDATIONS, day, stream.liquidations, part="stream",
                                   data_root=tmp_path)
        b = landing.land_partition(LIQUIDATION_COVERAGE, day, stream.coverage, part="stream",
                                   data_root=tmp_path)
        digests.append((a.path.read_bytes(), b.path.read_bytes()))
        assert a.rows == 29 and a.rejected == 0
    assert digests[0] == digests[1]


def _collector_process(server: LiquidationStreamServer, data: Path, flush: float):
    env = {**os.environ, "PERP_FRAGILITY_DATA_DIR": str(data), "PERP_FRAGILITY_VENUES": "bybit",
           "PERP_FRAGILITY_WS_URLS": f"bybit={server.ws_url}"}
    return subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", "collect-liquidations",
         "--api-url", f"bybit={server.http_url}", "--flush-seconds", str(flush),
         "--symbols", "BTC/USDT:USDT"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _stream_rows(data: Path) -> list[dict]:
    files = sorted((data / "raw" / "liquidations" / "_stream" / "events").rglob("*.parquet"))
    assert not [f for f in files if f.name.startswith(".")]
    return [row for f in files for row in pq.read_table(f).to_pylist()]


def _wait(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)


def test_sigkill_mid_hour_then_restart_loses_at_most_one_flush_and_duplicates_nothing(
    server, tmp_path
):
    """Frames before the last flush survive a SIGKILL; the restart (the venue replaying
    everything, as a recording proxy would) adds the rest and duplicates nothing; SIGTERM
    stops the second process cleanly with a final flush."""
    flush = 1.0
    proc = _collector_process(server, tmp_path, flush)
    try:
        _wait(lambda: server.subscribed("bybit") > 0)
        t = _now_ms()
        frames = [bybit_frame("BTCUSDT", [("Buy", 0.001 * (i + 1), 60000.0, t + i)])
                  for i in range(40)]
        server.push("bybit", *frames[:30])
        _wait(lambda: len(_stream_rows(tmp_path)) >= 30)  # flushed
        server.push("bybit", *frames[30:])
        time.sleep(0.2)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        survived = len(_stream_rows(tmp_path))
        assert 30 <= survived <= 40  # lost at most the frames of one flush interval

        proc = _collector_process(server, tmp_path, flush)
        _wait(lambda: server.subscribed("bybit") > 0)
        server.push("bybit", *frames)  # replay of everything
        _wait(lambda: len(_stream_rows(tmp_path)) >= 40)
        time.sleep(2 * flush)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, err
        assert "stopped" in out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    rows = _stream_rows(tmp_path)
    keys = [(r["symbol"], r["liquidated_at"], r["amount_base"]) for r in rows]
    assert len(keys) == len(set(keys)) == 40
