"""What a weekly PDF was rendered from, so ``report --week`` can skip a render that changes nothing.

A PDF is a pure function of its week, the warehouse, the report package (templates, CSS,
chart and context code) and ``dbt_project.yml`` (the methodology page prints its vars). The
render records a digest of those inputs as the ``inputs`` metadata of its materialisation; a
later ``perp-fragility report --week`` with the same digest, whose PDF is still on disk with the
size it was written at, prints the path and does not run the job (about 2.5 s instead of about
12 s on the demo: the check runs before ``prepare`` and loads no definitions). ``--force``
renders, and delivers, again.

The warehouse enters by its files' size and modification time: every writer (dbt, imports,
rebuilds) rewrites ``warehouse.duckdb`` or its WAL, and a read-only open changes neither. That
is conservative: a rebuild that produced the same rows still counts as a change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from orchestration.lib.settings import DBT_PROJECT_DIR, PROJECT_ROOT

PDF_ASSET_PATH = ("reports", "weekly_fragility_pdf")  # the weekly PDF's asset key
INPUTS_KEY = "inputs"  # materialisation metadata of the PDF: the digest it was rendered from
BYTES_KEY = "bytes"  # ... and the size of the file it wrote
REPORT_PACKAGE = PROJECT_ROOT / "reports"


def report_sources() -> list[Path]:
    """Every file of the report package (not bytecode) and ``dbt_project.yml``, sorted."""
    package = [
        p for p in REPORT_PACKAGE.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    ]
    return sorted([*package, DBT_PROJECT_DIR / "dbt_project.yml"])


def _stat_line(path: Path) -> str:
    if not path.exists():
        return f"{path.name}: absent"
    stat = path.stat()
    return f"{path.name}: {stat.st_size} {stat.st_mtime_ns}"


def inputs_digest(
    iso_week: str, warehouse: Path, sources: Iterable[Path] | None = None
) -> str:
    """sha256 of the week, the warehouse files' size and mtime, and the sources' bytes."""
    digest = hashlib.sha256(f"week {iso_week}\n".encode())
    for path in (warehouse, warehouse.with_name(warehouse.name + ".wal")):
        digest.update(f"{_stat_line(path)}\n".encode())
    for path in report_sources() if sources is None else sources:
        digest.update(f"{path.relative_to(PROJECT_ROOT)}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _value(metadata: Mapping[str, Any], key: str) -> Any:  # noqa: ANN401 - a metadata value
    entry = metadata.get(key)
    return getattr(entry, "value", entry)


def is_current(previous: Mapping[str, Any] | None, digest: str, pdf: Path) -> bool:
    """True when the last render (its materialisation ``previous``) read the same inputs and
    its PDF is still on disk at the size it was written: rendering again would change nothing."""
    if not previous or _value(previous, INPUTS_KEY) != digest or not pdf.is_file():
        return False
    return _value(previous, BYTES_KEY) == pdf.stat().st_size
