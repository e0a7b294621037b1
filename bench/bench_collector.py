"""Benchmark: the liquidation collector under a cascade's message rate, and its loss on SIGKILL.

A loopback server (tests/support/liquidation_ws.py) speaks Binance ``forceOrder``, Bybit
``allLiquidation`` and OKX ``liquidation-orders``; a pusher sends ``--rate`` messages a second
(default 200: 40 % Binance, 40 % Bybit, 20 % OKX, one liquidation each, every one unique) to a
``perp-fragility collect-liquidations`` subprocess for ``--duration`` seconds (default 600).
Every ``--sample`` seconds the collector's RSS (``/proc/<pid>/status`` VmRSS) and CPU
(``utime + stime`` of ``/proc/<pid>/stat``) are read. At the end the collector is SIGKILLed
while the stream is still running, and the rows on disk are compared with the messages sent:
the loss is what arrived after the last flush (bounded by ``--flush-seconds``) plus what was in
flight. The kill is timed ``--kill-phase`` (0.9) of a flush interval after a flush was seen on
disk, so the measured loss is near the worst case, not a lucky moment just after a flush.

    .venv/bin/python bench/bench_collector.py                    # 10 minutes at 200 msg/s
    .venv/bin/python bench/bench_collector.py --duration 120     # 2 minutes

Not a test: it runs for minutes. Linux only (reads /proc).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pyarrow.parquet as pq  # noqa: E402

from tests.support.liquidation_ws import (  # noqa: E402
    LiquidationStreamServer,
    binance_frame,
    bybit_frame,
    okx_frame,
)

VENUES = ("binance", "bybit", "okx")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=200.0, help="messages per second")
    parser.add_argument("--duration", type=float, default=600.0, help="seconds (default 600)")
    parser.add_argument("--flush-seconds", type=float, default=30.0, help="collector flush")
    parser.add_argument("--sample", type=float, default=5.0, help="sampling interval, s")
    parser.add_argument("--kill-phase", type=float, default=0.9,
                        help="SIGKILL this fraction of a flush interval after a flush "
                        "(0.9: near the worst case)")
    parser.add_argument("--json", type=Path, help="also write the summary here")
    return parser.parse_args()


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _rows_on_disk(data: Path) -> int:
    files = (data / "raw" / "liquidations" / "_stream" / "events").rglob("*.parquet")
    return sum(pq.ParquetFile(f).metadata.num_rows for f in files)


class Pusher(threading.Thread):
    """Sends ``rate`` unique one-event messages a second, in 20 ms batches."""

    def __init__(self, server: LiquidationStreamServer, rate: float) -> None:
        super().__init__(daemon=True)
        self.server, self.rate = server, rate
        self.sent = dict.fromkeys(VENUES, 0)
        self.stop = threading.Event()
        self._seq = itertools.count(1)

    def _frame(self, venue: str) -> str:
        n = next(self._seq)
        ts = int(time.time() * 1000)
        side = n % 2
        if venue == "binance":
            return binance_frame("BTCUSDT" if n % 3 else "ETHUSDT", ("SELL", "BUY")[side],
                                 round(0.001 * n, 3), 60_000.0, ts)
        if venue == "bybit":
            return bybit_frame("BTCUSDT" if n % 3 else "ETHUSDT",
                               [(("Buy", "Sell")[side], round(0.001 * n, 3), 60_000.0, ts)])
        return okx_frame("BTC-USDT-SWAP" if n % 3 else "ETH-USDT-SWAP",
                         [(("sell", "buy")[side], n, 60_000.0, ts)])

    def run(self) -> None:
        step = 0.02
        share = {"binance": 0.4, "bybit": 0.4, "okx": 0.2}
        owed = dict.fromkeys(VENUES, 0.0)
        next_at = time.monotonic()
        while not self.stop.is_set():
            for venue in VENUES:
                owed[venue] += self.rate * share[venue] * step
                count = int(owed[venue])
                if count:
                    owed[venue] -= count
                    self.server.push(venue, *(self._frame(venue) for _ in range(count)))
                    self.sent[venue] += count
            next_at += step
            time.sleep(max(0.0, next_at - time.monotonic()))


def main() -> int:
    args = _args()
    data = Path(tempfile.mkdtemp(prefix="bench-collector-"))
    with LiquidationStreamServer() as server:
        env = {**os.environ, "PERP_FRAGILITY_DATA_DIR": str(data),
               "PERP_FRAGILITY_VENUES": ",".join(VENUES),
               "PERP_FRAGILITY_WS_URLS": ",".join(f"{v}={server.ws_url}" for v in VENUES)}
        cmd = [sys.executable, "-m", "orchestration.cli", "collect-liquidations",
               "--flush-seconds", str(args.flush_seconds),
               *itertools.chain.from_iterable(("--api-url", f"{v}={server.http_url}")
                                              for v in VENUES)]
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not all(server.subscribed(v) for v in VENUES):
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                print("collector did not subscribe:", proc.stderr.read()[-2000:] if proc.stderr
                      else "")
                return 1
            time.sleep(0.1)
        time.sleep(1.0)  # Bybit subscribes per symbol
        pusher = Pusher(server, args.rate)
        cpu0, t0 = _cpu_seconds(proc.pid), time.monotonic()
        samples: list[tuple[float, float, float]] = []
        pusher.start()
        while time.monotonic() - t0 < args.duration:
            time.sleep(args.sample)
            elapsed = time.monotonic() - t0
            samples.append((elapsed, _rss_mb(proc.pid), _cpu_seconds(proc.pid) - cpu0))
        cpu_total = _cpu_seconds(proc.pid) - cpu0
        wall = time.monotonic() - t0
        # Kill at a known phase of the flush cycle: wait for a flush to land, then
        # kill_phase x flush_seconds later, while the pusher is still sending.
        before = _rows_on_disk(data)
        flush_deadline = time.monotonic() + 2 * args.flush_seconds + 5
        while _rows_on_disk(data) == before and time.monotonic() < flush_deadline:
            time.sleep(0.05)
        flushed_at = time.monotonic()
        time.sleep(args.kill_phase * args.flush_seconds)
        last_flush_rows = _rows_on_disk(data)
        sent_at_kill = sum(pusher.sent.values())
        streamed_s = time.monotonic() - t0
        proc.send_signal(signal.SIGKILL)
        killed_after = time.monotonic() - flushed_at
        proc.wait(10)
        pusher.stop.set()
        pusher.join(5)
        sent = sent_at_kill
        on_disk = _rows_on_disk(data)
        # CPU per sampling interval, to show steadiness
        rates = [(b[2] - a[2]) / (b[0] - a[0]) for a, b in zip(samples, samples[1:], strict=False)]
        summary = {
            "rate_target_per_s": args.rate,
            "rate_sent_per_s": round(sent / streamed_s, 1),
            "duration_s": round(wall, 1),
            "flush_seconds": args.flush_seconds,
            "messages_sent": sent,
            "rows_on_disk_after_sigkill": on_disk,
            "rows_on_disk_before_kill": last_flush_rows,
            "killed_seconds_after_last_flush": round(killed_after, 2),
            "rows_lost_on_sigkill": sent - on_disk,
            "seconds_of_stream_lost": round((sent - on_disk) / max(args.rate, 1e-9), 1),
            "rss_mb_first": round(samples[0][1], 1) if samples else None,
            "rss_mb_max": round(max(s[1] for s in samples), 1) if samples else None,
            "rss_mb_last": round(samples[-1][1], 1) if samples else None,
            "rss_mb_samples": [round(s[1], 1) for s in samples],
            "cpu_share_mean": round(cpu_total / wall, 3),
            "cpu_share_max_interval": round(max(rates), 3) if rates else None,
            "server_frames_sent": dict(server.counters.frames_sent),
        }
    print(json.dumps(summary, indent=2))
    print(
        f"collector at {summary['rate_sent_per_s']} msg/s for {summary['duration_s']} s: "
        f"RSS {summary['rss_mb_first']} -> {summary['rss_mb_last']} MB (max "
        f"{summary['rss_mb_max']}), CPU {100 * summary['cpu_share_mean']:.1f} % of a core "
        f"(max interval {100 * (summary['cpu_share_max_interval'] or 0):.1f} %); SIGKILL lost "
        f"{summary['rows_lost_on_sigkill']} of {sent} messages "
        f"({summary['seconds_of_stream_lost']} s of stream, killed "
        f"{summary['killed_seconds_after_last_flush']} s after a flush; flush every "
        f"{args.flush_seconds} s)"
    )
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
