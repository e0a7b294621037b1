"""The dbt project as Dagster sees it: one cached ``DbtProject``.

Kept apart from the asset definitions because the manifest must exist before they import:
``perp-fragility prepare`` (run by ``make demo``/``make test``) or ``dagster dev`` (through
``prepare_if_dev``) writes ``dbt_project/target/manifest.json``.
"""

import importlib.metadata
import os
import sys
from functools import cached_property
from pathlib import Path
from typing import Any

from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

from orchestration.lib.settings import DBT_PROJECT_DIR, export_data_dir

# dbt resolves the warehouse and the raw Parquet globs from this variable; make it absolute
# before any dbt subprocess starts in dbt_project/.
export_data_dir()

# The make targets call .venv/bin/* without activating the venv: dbt lives beside this
# interpreter, so put that folder on PATH for dagster-dbt's subprocesses.
DBT_EXECUTABLE = Path(sys.executable).parent / "dbt"
if DBT_EXECUTABLE.exists() and str(DBT_EXECUTABLE.parent) not in os.environ["PATH"].split(
    os.pathsep
):
    os.environ["PATH"] = os.pathsep.join([str(DBT_EXECUTABLE.parent), os.environ["PATH"]])

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()


class ProjectDbtCliResource(DbtCliResource):
    """``DbtCliResource`` without two start-up costs this project never uses.

    Profiling a warehouse run showed 9 of its 44 s in ``DbtCliResource.cli`` before dbt
    started: ``_cli_version`` runs ``dbt --version`` in a subprocess (3.4 s), and
    ``_initialize_dbt_core_adapter`` loads the dbt project and its 530 macros in-process
    (5.6 s) to hand dagster-dbt an adapter for ``fetch_row_counts`` and
    ``fetch_column_metadata``, which these assets do not call. dbt-core is installed in this
    interpreter's environment, so its package metadata gives the CLI's version.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Any) -> None:  # noqa: ANN401 - dbt's args
        return None


def dbt_cli() -> ProjectDbtCliResource:
    """The dbt CLI resource of this project (assets, CLI commands, benchmarks, tests)."""
    return ProjectDbtCliResource(project_dir=dbt_project, dbt_executable=str(DBT_EXECUTABLE))

