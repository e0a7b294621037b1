"""SQLite event log storage tuned for backfills: batched inserts and WAL commits.

Profiling a 61-day landing run and a ``dbt build`` through Dagster on the local SQLite
instance showed most of their time in the event log, not in the work:

- A single-run backfill of N days reports one materialisation per raw asset and day (1,080
  for the 120-day demo). Dagster hands them to ``store_event_batch`` when
  ``DAGSTER_EVENT_BATCH_SIZE`` is set (orchestration/instance.py), but its SQLite storage then
  stores them one by one. Dagster's PostgreSQL storage (deploy/dagster.yaml) inserts such a
  batch with one statement; :meth:`store_event_batch` does the same here.
- Every event opens a new engine and connection per shard and commits in rollback-journal
  mode: two fsyncs per commit and a close per event (38 s of a 105 s warehouse run under load,
  2,012 commits for 256 dbt nodes). :meth:`_connect` keeps one engine per recent shard and
  runs the files in WAL mode with ``synchronous=NORMAL``: commits append to the log without
  an fsync; a power cut can lose the last events but never corrupts the file. Production
  instances use PostgreSQL, where none of this applies.
- Every asset check event asks SQLite whether the check table exists (``has_table``, 522
  schema look-ups in one dbt build). Once it exists it stays: :attr:`supports_asset_checks`
  remembers a yes.

Everything else is the stock ``SqliteEventLogStorage``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as db
from dagster._core.event_api import EventLogEntry
from dagster._core.events import DagsterEventType
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.event_log.schema import SqlEventLogStorageTable
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import SingletonThreadPool

# Event kinds whose batch carries nothing else to index (checks and planned events do).
BATCHED_KINDS = ({DagsterEventType.ASSET_MATERIALIZATION}, {DagsterEventType.ASSET_OBSERVATION})
# Open engines kept: the index shard plus the shards of the runs in flight.
MAX_OPEN_SHARDS = 8


def _wal_mode(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class BatchingSqliteEventLogStorage(SqliteEventLogStorage):
    """``SqliteEventLogStorage`` with batched asset events and kept-open WAL connections."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._has_check_table = False
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> BatchingSqliteEventLogStorage:
        # the parent builds its own class here, not ``cls``
        return cls(inst_data=inst_data, **config_value)

    @property
    def supports_asset_checks(self) -> bool:
        if not self._has_check_table:
            self._has_check_table = super().supports_asset_checks
        return self._has_check_table

    def _shard_engine(self, shard: str) -> Engine:
        """The shard's engine, reused while it is among the most recently used ones."""
        engines = self._engines
        engine = engines.pop(shard, None)
        if engine is None:
            engine = create_engine(
                self.conn_string_for_shard(shard),
                poolclass=SingletonThreadPool,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            )
            db.event.listen(engine, "connect", _wal_mode)
        engines[shard] = engine
        while len(engines) > MAX_OPEN_SHARDS:
            engines.popitem(last=False)[1].dispose()
        return engine

    def _close_engines(self) -> None:
        while self._engines:
            self._engines.popitem()[1].dispose()

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._shard_engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        kinds = {event.get_dagster_event().event_type for event in events}
        run_ids = {event.run_id for event in events}
        if kinds not in BATCHED_KINDS or len(run_ids) != 1:
            super().store_event_batch(events)
            return
        insert = self.prepare_insert_event_batch(events)
        # the run's own shard: its event stream in the UI
        with self.run_connection(next(iter(run_ids))) as conn:
            conn.execute(insert)
        # the cross-run index: asset history, partition tags, the asset's latest event
        with self.index_transaction() as conn:
            result = conn.execute(insert.returning(SqlEventLogStorageTable.c.id))
            event_ids = [int(row[0]) for row in result.fetchall()]
            self._store_asset_event_tags(conn, events, event_ids)
            self._store_asset_event(conn, events[-1], event_ids[-1])

    # Files may be deleted below: no engine may keep a handle on a removed shard.
    def delete_events(self, run_id: str) -> None:
        self._close_engines()
        super().delete_events(run_id)

    def wipe(self) -> None:
        self._close_engines()
        super().wipe()

    def dispose(self) -> None:
        self._close_engines()
        super().dispose()
