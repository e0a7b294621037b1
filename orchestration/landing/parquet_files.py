"""The one writer of every Parquet file the pipeline lands (raw, quarantine, coverage plan,
live outcomes): atomic, reproducible bytes, readable by the other service users.

Its own module so the landing engine, the coverage plan and the outcomes record share it
without importing each other.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


def _process_umask() -> int:
    """The process umask (read by setting and restoring it; done once, at import)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_process_umask()
"""Mode of landed files: what ``open()`` would give under the process umask (0644 with the
usual 022), not ``mkstemp``'s private 0600, so other service users can read the lake."""


def atomic_write(table: pa.Table, target: Path) -> None:
    """Write ``table`` to ``target`` through a temporary file and a rename: a reader sees the
    old file or the new one, never half of one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".parquet", dir=target.parent)
    os.close(fd)
    try:
        # Fixed writer options and no wall-clock metadata: the same rows give the same bytes.
        pq.write_table(table, tmp, compression="zstd", write_statistics=True)
        os.chmod(tmp, _FILE_MODE)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
