"""The ``vars`` of dbt_project.yml, read once for the Python side.

The dbt project is the one owner of its settings (look-back days, test windows, the perp
discount quantile): the warehouse asset and the report's methodology page read them here
rather than restating the numbers, so a change in dbt_project.yml reaches both.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml

from orchestration.lib import settings


@cache
def project_vars() -> dict[str, Any]:
    """The ``vars`` of dbt_project.yml: one value for dbt and Python."""
    project = yaml.safe_load((settings.DBT_PROJECT_DIR / "dbt_project.yml").read_text())
    return dict(project["vars"])
