"""Import ids and their records: what each import wrote, so it can be listed and undone.

An import's id is ``<kind>-<10 hex>``, a digest of the kind, the time zone and the bytes of its
files: importing the same files again is the same import (it replaces its own files with
byte-identical ones), and a different file is a different import. The id is in the name of
every file the import lands (``part-import-<id>-<venue>-<symbol>.parquet``) and of its
quarantine CSV, and ``<data>/imports/<id>.json`` records the files, counts and outcome.
:func:`forget` removes exactly those files, so history can be withdrawn without touching the
live partitions or another import.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from orchestration.lib import settings

LANDED = "landed"
REFUSED = "refused"
FAILED = "failed"


class UnknownImportError(LookupError):
    """No import has this id."""


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def import_id(kind: str, paths: Sequence[Path], tz: str | None = None) -> str:
    """The id of importing ``paths`` as ``kind`` (same files, same id)."""
    digest = hashlib.sha256(f"{kind}\n{tz or ''}\n".encode())
    for item in sorted(file_digest(Path(p)) for p in paths):
        digest.update(item.encode())
    return f"{kind}-{digest.hexdigest()[:10]}"


def records_dir(data_root: Path | None = None) -> Path:
    return (data_root or settings.data_dir()) / "imports"


@dataclass
class ImportRecord:
    """What ``<data>/imports/<id>.json`` holds.

    ``parts`` and ``quarantine`` are relative to the data directory, so a moved data
    directory keeps working records.
    """

    id: str
    kind: str
    status: str
    created_at: str
    files: list[dict[str, object]]
    tz: str | None = None
    rows_read: int = 0
    rows_landed: int = 0
    rows_by_dataset: dict[str, int] = field(default_factory=dict)
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    first_day: str | None = None
    last_day: str | None = None
    parts: list[str] = field(default_factory=list)
    quarantine: str | None = None
    message: str = ""

    @property
    def datasets(self) -> tuple[str, ...]:
        return tuple(sorted(d for d, n in self.rows_by_dataset.items() if n))


def new_record(
    ident: str, kind: str, status: str, paths: Iterable[Path], tz: str | None
) -> ImportRecord:
    files = [
        {"path": str(Path(p).resolve()), "bytes": Path(p).stat().st_size,
         "sha256": file_digest(Path(p))}
        for p in paths
    ]
    return ImportRecord(
        id=ident, kind=kind, status=status, tz=tz, files=files,
        created_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
    )


def save(record: ImportRecord, data_root: Path | None = None) -> Path:
    target = records_dir(data_root) / f"{record.id}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.{os.getpid()}")
    staging.write_text(json.dumps(asdict(record), indent=2, sort_keys=True) + "\n")
    os.replace(staging, target)
    return target


def load(ident: str, data_root: Path | None = None) -> ImportRecord | None:
    path = records_dir(data_root) / f"{ident}.json"
    if not path.is_file():
        return None
    return ImportRecord(**json.loads(path.read_text()))


def all_records(data_root: Path | None = None) -> list[ImportRecord]:
    """Every recorded import, oldest first."""
    folder = records_dir(data_root)
    records = [load(p.stem, data_root) for p in sorted(folder.glob("*.json"))]
    return sorted((r for r in records if r), key=lambda r: (r.created_at, r.id))


def remove_files(record: ImportRecord, data_root: Path | None = None) -> None:
    """Delete the files ``record`` lists (and the day folders they leave empty)."""
    root = data_root or settings.data_dir()
    for relative in [*record.parts, *([record.quarantine] if record.quarantine else [])]:
        path = root / relative
        path.unlink(missing_ok=True)
        if path.parent.is_dir() and path.parent.name.startswith("dt=") and not any(
            path.parent.iterdir()
        ):
            path.parent.rmdir()


def forget(ident: str, data_root: Path | None = None) -> ImportRecord:
    """Remove import ``ident``'s files and its record; return the record it had."""
    record = load(ident, data_root)
    if record is None:
        raise UnknownImportError(
            f"no import {ident!r} in {records_dir(data_root)}; `perp-fragility imports` "
            "lists them"
        )
    remove_files(record, data_root)
    (records_dir(data_root) / f"{ident}.json").unlink()
    return record
