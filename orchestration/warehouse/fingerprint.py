"""What the warehouse was built from: a digest of every file dbt parses.

A warehouse run records it as a tag (``perp_fragility/dbt_fingerprint``), so a later command
can tell whether the warehouse is the one the current models and macros would build (the warm
``perp-fragility demo`` skips a build that would change nothing). Contents, not mtimes: a
checkout or a copy of the project keeps its fingerprint.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from orchestration.lib import settings

FINGERPRINT_TAG = "perp_fragility/dbt_fingerprint"
_FOLDERS = ("models", "macros", "seeds", "tests", "analyses", "snapshots")


def dbt_source_files(project: Path = settings.DBT_PROJECT_DIR) -> list[Path]:
    """Every file dbt reads when it parses ``project``, in a stable order."""
    files = [project / "dbt_project.yml", project / "profiles.yml"]
    for folder in _FOLDERS:
        files.extend(p for p in (project / folder).rglob("*") if p.is_file())
    return sorted(p for p in files if p.exists())


def dbt_fingerprint(project: Path = settings.DBT_PROJECT_DIR) -> str:
    """sha256 over the relative paths and contents of :func:`dbt_source_files`."""
    digest = hashlib.sha256()
    for path in dbt_source_files(project):
        digest.update(path.relative_to(project).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()
