"""The dbt project as Dagster sees it: one cached ``DbtProject``.

Kept apart from the asset definitions because the manifest must exist before they import:
``perp-fragility prepare`` (run by ``make demo``/``make test``) or ``dagster dev`` (through
``prepare_if_dev``) writes ``dbt_project/target/manifest.json``.
"""

import os
import sys
from pathlib import Path

from dagster_dbt import DbtProject

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
