"""The dbt project as Dagster sees it: one ``DbtProject``, built on first use.

Kept apart from the asset definitions because the manifest must exist before they import:
``perp-fragility prepare`` (run by ``make demo``/``make test``) or ``dagster dev`` (through
``prepare_if_dev``) writes ``dbt_project/target/manifest.json``.

Importing this module changes nothing: no environment variable, no ``PATH``. The project is
built by :func:`project` (or on first access to ``dbt_project``), and :func:`dbt_cli` builds
the stock ``DbtCliResource`` with the absolute path of the ``dbt`` beside this interpreter, so
``.venv/bin/*`` works without an activated venv.
"""

from __future__ import annotations

import json
import shutil
import sys
from functools import cache
from pathlib import Path
from typing import Any

from dagster_dbt import DbtCliResource, DbtProject

from orchestration.lib.settings import DBT_PROJECT_DIR, export_data_dir


def dbt_executable() -> str:
    """The ``dbt`` of this environment: beside the interpreter of this virtual environment
    (``sys.prefix``; ``sys.executable`` may be the resolved base interpreter in a code server
    that ``dagster dev`` spawned), else on PATH, else ``dbt`` (dagster-dbt names what is missing).
    """
    for candidate in (Path(sys.prefix) / "bin" / "dbt", Path(sys.executable).parent / "dbt"):
        if candidate.exists():
            return str(candidate)
    return shutil.which("dbt") or "dbt"


@cache
def project() -> DbtProject:
    """The project (``profiles.yml`` beside ``dbt_project.yml``).

    Its manifest is written by ``perp-fragility prepare`` (``make dev``, ``make test`` and every
    CLI command run it first), not by ``DbtProject.prepare_if_dev()``: that builds its own dbt
    resource with ``dbt`` looked up on ``PATH``, which a code server started from a plain shell
    (``.venv/bin`` not on ``PATH``) does not have, and the code location then fails to load.
    """
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


@cache
def manifest_at(path: Path) -> dict[str, Any]:
    """The parsed ``manifest.json`` at ``path``, read once per process (``perp-fragility
    prepare`` writes it before the definitions load)."""
    return json.loads(Path(path).read_text())


def __getattr__(name: str) -> DbtProject:
    """``from orchestration.warehouse.dbt_project import dbt_project`` builds the project lazily."""
    if name == "dbt_project":
        return project()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def dbt_cli() -> DbtCliResource:
    """The dbt CLI resource of this project (assets, CLI commands, benchmarks, tests).

    dagster-dbt gives its dbt subprocesses this process's environment and nothing else (its
    ``cli()`` has no ``env`` argument), and dbt reads the data directory from
    ``PERP_FRAGILITY_DATA_DIR`` (``profiles.yml``, the source globs) in ``dbt_project/``. So
    building the resource pins that variable, and ``DBT_TARGET_PATH`` (the data directory's
    partial-parse cache), to absolute values: when a resource is made, never at import.
    """
    export_data_dir()
    return DbtCliResource(project_dir=project(), dbt_executable=dbt_executable())
