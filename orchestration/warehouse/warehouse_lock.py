"""One writer at a time on the DuckDB warehouse, whatever process asks.

DuckDB lets one process hold a database file for writing, and a writer excludes even
read-only readers: a second ``dbt build`` (or a reader) fails at once with
``IO Error: Could not set lock on file``. Dagster's ``duckdb_warehouse`` pool serialises the
steps Dagster launches; this advisory file lock covers every entry point, including the CLI
and ``perp-fragility import``, so an overlapping run *waits* for the warehouse instead of
failing. Writers take it exclusively, readers shared (read-only DuckDB clients coexist).
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from orchestration.lib import settings


class WarehouseBusyError(TimeoutError):
    """The warehouse stayed locked by another process for longer than the timeout."""


@contextmanager
def warehouse_lock(
    *, exclusive: bool, timeout_s: float = 1800.0, poll_s: float = 0.2, path: Path | None = None
) -> Iterator[Path]:
    """Hold the warehouse lock file (``warehouse.duckdb.lock``) for the block."""
    lock_path = (path or settings.warehouse_path()).with_suffix(".duckdb.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
    deadline = time.monotonic() + timeout_s
    with lock_path.open("a") as handle:
        while True:
            try:
                fcntl.flock(handle, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WarehouseBusyError(
                        f"{lock_path} held by another process for over {timeout_s:.0f} s"
                    ) from None
                time.sleep(poll_s)
        try:
            yield lock_path
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
