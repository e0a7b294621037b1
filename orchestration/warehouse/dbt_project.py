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

import sys
from functools import cache
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from orchestration.lib.settings import DBT_PROJECT_DIR, export_data_dir

DBT_EXECUTABLE = Path(sys.executable).parent / "dbt"


@cache
def project() -> DbtProject:
    """The project (``profiles.yml`` beside ``dbt_project.yml``); parsed under ``dagster dev``."""
    built = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    built.prepare_if_dev()
    return built


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
    executable = str(DBT_EXECUTABLE) if DBT_EXECUTABLE.exists() else "dbt"
    return DbtCliResource(project_dir=project(), dbt_executable=executable)
