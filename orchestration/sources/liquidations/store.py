"""The collector's files: hourly event segments, coverage records, quarantined frames.

Layout under ``<data>/raw/liquidations/_stream/`` (beside the landed datasets, outside the
``*/*.parquet`` globs dbt reads, so nothing is counted before the daily compaction):

- ``events/dt=YYYY-MM-DD/<venue>-hHH-<session>-<seq>.parquet``: the rows that arrived since the
  previous flush, filed by the event's own UTC hour. Each flush writes new segments atomically
  (temporary file + rename), so a SIGKILL loses at most what arrived since the last flush.
- ``coverage/dt=YYYY-MM-DD/<venue>-hHH-<session>.parquet``: one row per venue, hour and
  collector session (seconds connected, frames, events, rejects, reconnects), rewritten
  atomically at every flush; the compaction sums sessions per venue-hour.
- ``quarantine/dt=YYYY-MM-DD/rejects-<session>-<seq>.parquet``: rejected events with reason
  and the raw structure.

Restarts never duplicate rows: a new session first reads the keys of the current and previous
hour's segments, and an event already seen (in memory or on disk) is dropped and counted. Keys
are kept as their 64-bit hash (recomputed from the files at start, so the per-process salt of
``hash`` does not matter; a false duplicate needs a 64-bit collision among ~10^6 keys).
"""

from __future__ import annotations

import os
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.landing.raw_schemas import LIQUIDATION_COVERAGE, LIQUIDATIONS
from orchestration.sources.liquidations.normalise import Liquidation, Reject

DEDUPE_HOURS = 2
"""Keys are remembered for the current and the previous event hour."""

QUARANTINE_SCHEMA = pa.schema(
    [
        pa.field("venue", pa.string()),
        pa.field("received_at", pa.timestamp("us", tz="UTC")),
        pa.field("reject_reason", pa.string()),
        pa.field("raw", pa.string()),
    ]
)


def stream_root(data_root: Path) -> Path:
    return data_root / "raw" / LIQUIDATIONS.domain / "_stream"


def hour_start(ts: datetime) -> datetime:
    return ts.replace(minute=0, second=0, microsecond=0)


def atomic_write(table: pa.Table, target: Path) -> None:
    """Write ``table`` to ``target`` via a temporary file in the same folder and a rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    # the temporary name does not end in .parquet: readers never see a half-written file, and
    # one left behind by a SIGKILL is ignored (and overwritten by nothing)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".partial", dir=target.parent)
    os.close(fd)
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def events_table(rows: list[Liquidation], source: str) -> pa.Table:
    """Rows in the landing contract (``raw/liquidations``)."""
    return pa.table(
        {
            "source": pa.array([source] * len(rows), pa.string()),
            "venue": pa.array([r.venue for r in rows], pa.string()),
            "symbol": pa.array([r.symbol for r in rows], pa.string()),
            "base_asset": pa.array([r.base_asset for r in rows], pa.string()),
            "liquidated_at": pa.array([r.ts_ms * 1000 for r in rows], pa.int64()).cast(
                LIQUIDATIONS.schema.field("liquidated_at").type
            ),
            "side": pa.array([r.side for r in rows], pa.string()),
            "price": pa.array([r.price for r in rows], pa.float64()),
            "amount_base": pa.array([r.amount_base for r in rows], pa.float64()),
            "notional_usd": pa.array([r.notional_usd for r in rows], pa.float64()),
            "capture": pa.array(["stream"] * len(rows), pa.string()),
        },
        schema=LIQUIDATIONS.schema,
    )


def _key_of_row(row: dict) -> tuple:
    ts = row["liquidated_at"]
    ts_ms = int(ts.timestamp() * 1000 + 0.5) if isinstance(ts, datetime) else int(ts)
    return (row["venue"], row["symbol"], ts_ms, row["side"], row["price"], row["amount_base"])


@dataclass
class HourCoverage:
    """What one session saw of one venue in one UTC hour."""

    seconds_connected: float = 0.0
    messages: int = 0
    events: int = 0
    rejected: int = 0
    duplicates: int = 0
    reconnects: int = 0


@dataclass
class StreamStore:
    """Buffers, dedupes and flushes one collector session's events and coverage."""

    data_root: Path
    session: str
    source_of: dict[str, str] = field(default_factory=dict)
    _pending: dict[tuple[str, datetime], list[Liquidation]] = field(
        default_factory=lambda: defaultdict(list)
    )
    _rejects: list[tuple[str, datetime, str, str]] = field(default_factory=list)
    _seen: dict[tuple[str, datetime], set[int]] = field(default_factory=lambda: defaultdict(set))
    coverage: dict[tuple[str, datetime], HourCoverage] = field(
        default_factory=lambda: defaultdict(HourCoverage)
    )
    _seq: int = 0
    flushed_rows: int = 0

    @property
    def root(self) -> Path:
        return stream_root(self.data_root)

    def load_seen(self, venues: list[str], now: datetime) -> int:
        """Read the keys already on disk for the current and previous hour (restart safety)."""
        loaded = 0
        for back in range(DEDUPE_HOURS):
            hour = hour_start(now) - timedelta(hours=back)
            folder = self.root / "events" / f"dt={hour.date().isoformat()}"
            for venue in venues:
                for path in sorted(folder.glob(f"{venue}-h{hour.hour:02d}-*.parquet")):
                    for row in pq.read_table(path).to_pylist():
                        self._seen[(venue, hour)].add(hash(_key_of_row(row)))
                        loaded += 1
        return loaded

    def _hour_cov(self, venue: str, hour: datetime) -> HourCoverage:
        return self.coverage[(venue, hour)]

    def add(self, item: Liquidation | Reject, received: datetime) -> bool:
        """Record one normalised event; False for a duplicate or a reject."""
        if isinstance(item, Reject):
            self._rejects.append((item.venue, received, item.reason, item.raw))
            cov = self._hour_cov(item.venue, hour_start(received))
            cov.messages += 1
            cov.rejected += 1
            return False
        hour = hour_start(item.liquidated_at)
        cov = self._hour_cov(item.venue, hour_start(received))
        cov.messages += 1
        if hour < hour_start(received) - timedelta(hours=DEDUPE_HOURS - 1):
            self._rejects.append(
                (item.venue, received, f"late: older than the {DEDUPE_HOURS} h dedupe window",
                 repr(item.key))
            )
            cov.rejected += 1
            return False
        seen = self._seen[(item.venue, hour)]
        digest = hash(item.key)  # an int per key, not the tuple: ~4x less memory at 200/s
        if digest in seen:
            cov.duplicates += 1
            return False
        seen.add(digest)
        self._pending[(item.venue, hour)].append(item)
        cov.events += 1
        return True

    def credit_connected(self, venue: str, start: float, end: float) -> None:
        """Add the connected interval [start, end) (epoch seconds), split at UTC hours."""
        while end > start:
            begin = datetime.fromtimestamp(start, tz=UTC)
            next_hour = (hour_start(begin) + timedelta(hours=1)).timestamp()
            stop = min(end, next_hour)
            self._hour_cov(venue, hour_start(begin)).seconds_connected += stop - start
            start = stop

    def count_reconnect(self, venue: str, at: datetime) -> None:
        self._hour_cov(venue, hour_start(at)).reconnects += 1

    def prune(self, now: datetime) -> None:
        """Forget dedupe keys and coverage of hours that can no longer change."""
        horizon = hour_start(now) - timedelta(hours=DEDUPE_HOURS - 1)
        for key in [k for k in self._seen if k[1] < horizon]:
            del self._seen[key]
        for key in [k for k in self.coverage if k[1] < horizon - timedelta(hours=1)]:
            del self.coverage[key]

    def flush(self, now: datetime | None = None) -> int:
        """Write pending events as new segments, rewrite coverage, write rejects; rows written."""
        now = now or datetime.now(UTC)
        written = 0
        self._seq += 1
        for (venue, hour), rows in list(self._pending.items()):
            if not rows:
                continue
            rows.sort(key=lambda r: r.key)
            target = (
                self.root / "events" / f"dt={hour.date().isoformat()}"
                / f"{venue}-h{hour.hour:02d}-{self.session}-{self._seq:06d}.parquet"
            )
            atomic_write(events_table(rows, self.source_of.get(venue, f"ccxt.pro:{venue}")),
                         target)
            written += len(rows)
        self._pending.clear()
        for (venue, hour), cov in self.coverage.items():
            target = (
                self.root / "coverage" / f"dt={hour.date().isoformat()}"
                / f"{venue}-h{hour.hour:02d}-{self.session}.parquet"
            )
            atomic_write(coverage_table([(venue, hour, cov)], self.source_of), target)
        if self._rejects:
            day = self._rejects[0][1].date()
            target = (
                self.root / "quarantine" / f"dt={day.isoformat()}"
                / f"rejects-{self.session}-{self._seq:06d}.parquet"
            )
            atomic_write(
                pa.table(
                    {
                        "venue": [r[0] for r in self._rejects],
                        "received_at": [r[1] for r in self._rejects],
                        "reject_reason": [r[2] for r in self._rejects],
                        "raw": [r[3] for r in self._rejects],
                    },
                    schema=QUARANTINE_SCHEMA,
                ),
                target,
            )
            self._rejects.clear()
        self.flushed_rows += written
        self.prune(now)
        return written


def coverage_table(
    rows: list[tuple[str, datetime, HourCoverage]], source_of: dict[str, str]
) -> pa.Table:
    """Coverage rows in the landing contract (``raw/liquidation_coverage``)."""
    return pa.table(
        {
            "source": [source_of.get(v, f"ccxt.pro:{v}") for v, _, _ in rows],
            "venue": [v for v, _, _ in rows],
            "hour_ts": [h for _, h, _ in rows],
            "capture": ["stream"] * len(rows),
            "seconds_connected": [min(3600.0, round(c.seconds_connected, 3)) for _, _, c in rows],
            "messages": [c.messages for _, _, c in rows],
            "events": [c.events for _, _, c in rows],
            "rejected": [c.rejected for _, _, c in rows],
            "reconnects": [c.reconnects for _, _, c in rows],
        },
        schema=LIQUIDATION_COVERAGE.schema,
    )


def read_stream_day(data_root: Path, day: date) -> tuple[pa.Table, pa.Table, int]:
    """(events, coverage summed per venue-hour, quarantined count) collected for ``day``.

    Events are deduplicated on the landing key (segments of overlapping sessions), sorted, so
    compacting the same files twice gives the same rows.
    """
    root = stream_root(data_root)
    ev_files = sorted((root / "events" / f"dt={day.isoformat()}").glob("*.parquet"))
    events = (
        pa.concat_tables([pq.read_table(f, schema=LIQUIDATIONS.schema) for f in ev_files])
        if ev_files else LIQUIDATIONS.schema.empty_table()
    )
    if events.num_rows:
        order = [(k, "ascending") for k in (*LIQUIDATIONS.key, "source")]
        events = events.sort_by(order)
        keep = events.group_by(list(LIQUIDATIONS.key), use_threads=False).aggregate([])
        if keep.num_rows != events.num_rows:
            rows = events.to_pylist()
            seen: set[tuple] = set()
            unique = []
            for row in rows:
                key = tuple(row[k] for k in LIQUIDATIONS.key)
                if key not in seen:
                    seen.add(key)
                    unique.append(row)
            events = pa.Table.from_pylist(unique, schema=LIQUIDATIONS.schema)
    cov_files = sorted((root / "coverage" / f"dt={day.isoformat()}").glob("*.parquet"))
    coverage = LIQUIDATION_COVERAGE.schema.empty_table()
    if cov_files:
        raw = pa.concat_tables(
            [pq.read_table(f, schema=LIQUIDATION_COVERAGE.schema) for f in cov_files]
        )
        summed = raw.group_by(["venue", "hour_ts"], use_threads=False).aggregate(
            [("seconds_connected", "sum"), ("messages", "sum"), ("events", "sum"),
             ("rejected", "sum"), ("reconnects", "sum"), ("source", "min")]
        )
        rows = sorted(summed.to_pylist(), key=lambda r: (r["venue"], r["hour_ts"]))
        coverage = pa.Table.from_pylist(
            [
                {
                    "source": r["source_min"],
                    "venue": r["venue"],
                    "hour_ts": r["hour_ts"],
                    "capture": "stream",
                    "seconds_connected": min(3600.0, r["seconds_connected_sum"]),
                    "messages": r["messages_sum"],
                    "events": r["events_sum"],
                    "rejected": r["rejected_sum"],
                    "reconnects": r["reconnects_sum"],
                }
                for r in rows
            ],
            schema=LIQUIDATION_COVERAGE.schema,
        )
    q_files = sorted((root / "quarantine" / f"dt={day.isoformat()}").glob("*.parquet"))
    quarantined = sum(pq.ParquetFile(f).metadata.num_rows for f in q_files)
    return events, coverage, quarantined

