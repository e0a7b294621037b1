"""The file-drop channel: an archive directory with one stable file per week and an index.

Why this shape:

* the archived name is ``fragility-YYYY-Www.pdf`` whatever the source was called, so links
  and bookmarks to a week never change;
* the copy is written to a temporary file in the archive directory and renamed over the
  target, so a reader (or a web server) never sees a half-written PDF;
* ``index.json`` (for machines) and ``index.html`` (for people) list every archived week with
  its SHA-256, size and page count; re-delivering a week replaces its entry, and delivering
  identical bytes again changes nothing at all (the index files stay byte-identical);
* the HTML is rendered by Jinja2 with autoescape, and index entries read back from disk are
  validated, so a tampered ``index.json`` cannot inject markup or ``javascript:`` links;
* a lock file serialises concurrent deliveries (a weekly backfill runs several at once).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2

from orchestration.distribution._model import (
    STABLE_NAME_RE,
    PermanentDeliveryError,
    Report,
    check_week,
    stable_name,
    summary_lines,
)

try:  # POSIX only; elsewhere concurrent deliveries are simply not serialised
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

INDEX_JSON = "index.json"
INDEX_HTML = "index.html"
_LOCK = ".index.lock"
_CHUNK = 1 << 20

_INDEX_TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Perp fragility: weekly reports</title>
<style>
body { font-family: DejaVu Sans, sans-serif; margin: 2em; }
table { border-collapse: collapse; }
th, td { padding: 0.3em 0.8em; border-bottom: 1px solid #ccc; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font-size: 0.8em; }
</style>
</head>
<body>
<h1>Perp fragility: weekly reports</h1>
{% if entries %}
<table>
<thead><tr><th>Week</th><th>Report</th><th>Summary</th><th>Pages</th><th>Size</th>
<th>Archived (UTC)</th><th>SHA-256</th></tr></thead>
<tbody>
{% for e in entries %}
<tr>
<td>{{ e.week }}</td>
<td><a href="{{ e.file }}">{{ e.file }}</a></td>
<td>{% for line in e.summary %}{{ line }}{% if not loop.last %}<br>{% endif %}{% endfor %}</td>
<td class="num">{{ e.pages if e.pages is not none else "" }}</td>
<td class="num">{{ "{:,}".format(e.bytes) }} B</td>
<td>{{ e.created }}</td>
<td><code>{{ e.sha256 }}</code></td>
</tr>
{% endfor %}
</tbody>
</table>
{% else %}
<p>No report archived yet.</p>
{% endif %}
</body>
</html>
"""

_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One archived week, as stored in ``index.json``.

    Attributes:
        week: ISO week, ``2026-W47``.
        file: the archived file's name, relative to the archive directory.
        path: its absolute path.
        sha256: hex digest of the archived bytes.
        bytes: size in bytes.
        pages: page count, when the renderer reported it.
        created: when these bytes were archived (UTC, ISO 8601).
        summary: the summary lines delivered with it.
    """

    week: str
    file: str
    path: str
    sha256: str
    bytes: int
    pages: int | None
    created: str
    summary: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, raw: Any) -> IndexEntry | None:
        """An entry read back from disk, or ``None`` when it is not one we would write."""
        if not isinstance(raw, dict):
            return None
        try:
            entry = cls(
                week=check_week(str(raw["week"])),
                file=str(raw["file"]),
                path=str(raw["path"]),
                sha256=str(raw["sha256"]),
                bytes=int(raw["bytes"]),
                pages=None if raw.get("pages") is None else int(raw["pages"]),
                created=str(raw["created"]),
                summary=tuple(str(line) for line in raw.get("summary", ())),
            )
        except (KeyError, TypeError, ValueError):
            return None
        if entry.file != stable_name(entry.week) or not STABLE_NAME_RE.match(entry.file):
            return None
        return entry


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _atomic_write_bytes(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _atomic_copy(source: Path, target: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out, source.open("rb") as src:
            shutil.copyfileobj(src, out, _CHUNK)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


class FileDrop:
    """Archive channel: copies each week's PDF into ``archive_dir`` and keeps the index."""

    name = "file_drop"

    def __init__(self, archive_dir: Path | str):
        self.archive_dir = Path(archive_dir).expanduser().resolve()

    def __repr__(self) -> str:
        return f"FileDrop({str(self.archive_dir)!r})"

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        if fcntl is None:  # pragma: no cover
            yield
            return
        with (self.archive_dir / _LOCK).open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def entries(self) -> list[IndexEntry]:
        """The index as stored (invalid or tampered entries are dropped)."""
        path = self.archive_dir / INDEX_JSON
        if not path.exists():
            return []
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []  # a corrupt index is rebuilt from this delivery onwards
        reports = raw.get("reports", []) if isinstance(raw, dict) else []
        entries = [IndexEntry.from_json(item) for item in reports]
        return [entry for entry in entries if entry is not None]

    def send_report(self, report: Report) -> str:
        """Archive ``report.path`` under its stable name; return the archived path."""
        source = Path(report.path)
        name = stable_name(report.week)  # validates the week before anything is written
        if not source.is_file():
            raise PermanentDeliveryError(f"report file not found: {source}")
        try:
            self.archive_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise PermanentDeliveryError(f"cannot create archive directory: {exc}") from exc
        target = self.archive_dir / name
        with self._locked():
            if not (target.exists() and os.path.samefile(source, target)):
                _atomic_copy(source, target)
            self._update_index(report, target)
        return str(target)

    def _update_index(self, report: Report, target: Path) -> None:
        digest = sha256_of(target)
        entries = {entry.week: entry for entry in self.entries()}
        previous = entries.get(report.week)
        new = IndexEntry(
            week=report.week,
            file=target.name,
            path=str(target),
            sha256=digest,
            bytes=target.stat().st_size,
            pages=report.pages,
            created=datetime.now(UTC).replace(microsecond=0).isoformat(),
            summary=summary_lines(report.summary),
        )
        if previous is not None and previous.sha256 == digest:
            # same bytes again: keep the original archive time so the index is unchanged
            new = replace(new, created=previous.created)
        entries[report.week] = new
        # drop entries whose file has gone (deleted by hand): the index lists what exists
        kept = sorted(
            (e for e in entries.values() if (self.archive_dir / e.file).is_file()),
            key=lambda e: e.week,
            reverse=True,
        )
        self._write_index(kept)

    def _write_index(self, entries: list[IndexEntry]) -> None:
        document = {"reports": [asdict(entry) for entry in entries]}
        text = json.dumps(document, indent=2, sort_keys=True) + "\n"
        _atomic_write_bytes(self.archive_dir / INDEX_JSON, text.encode("utf-8"))
        html = _ENV.from_string(_INDEX_TEMPLATE).render(entries=entries)
        _atomic_write_bytes(self.archive_dir / INDEX_HTML, html.encode("utf-8"))
