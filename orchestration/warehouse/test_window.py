"""Which rows a dbt data test read: the routine window or the whole history.

A routine incremental build passes its window start to dbt (``PERP_FRAGILITY_TEST_SINCE``; the
dbt var ``test_since`` by hand) and every generic data test on a model
with a window column reads only that model's rows from the Monday of that day's week on
(dbt_project/macros/test_window.sql). The asset check of such a test says so in its metadata,
so a green check in Dagster never claims more than it looked at.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from orchestration.lib.dbt_vars import project_vars
from orchestration.warehouse.dbt_project import manifest_at

# Read by dbt_project/macros/test_window.sql at execution only (not at parse): an environment
# variable, not `--vars`, because a changed var makes dbt re-parse the whole project each day.
TEST_SINCE_ENV = "PERP_FRAGILITY_TEST_SINCE"


@contextmanager
def tests_since(since: date | None) -> Iterator[None]:
    """Let the dbt process started inside test only rows from ``since``'s week (None: all).

    dagster-dbt gives its dbt subprocess this process's environment and takes no ``env``
    argument, so the variable is set around the call and always removed after it."""
    if since is None:
        os.environ.pop(TEST_SINCE_ENV, None)
    else:
        os.environ[TEST_SINCE_ENV] = since.isoformat()
    try:
        yield
    finally:
        os.environ.pop(TEST_SINCE_ENV, None)


def window_columns() -> list[str]:
    """``test_window_columns`` of dbt_project.yml, in the order the macro tries them."""
    return list(project_vars()["test_window_columns"])


def window_monday(since: date) -> date:
    """The Monday of ``since``'s ISO week: weekly rows holding the day are tested too."""
    return since - timedelta(days=since.weekday())


@cache
def windowed_tests(manifest_path: Path) -> dict[str, str]:
    """Test unique_id -> the window column it is filtered on (generic tests on models only).

    The same rule as the macro: the first of ``test_window_columns`` the tested model
    documents. Singular tests and tests of models without one read every row."""
    nodes = manifest_at(manifest_path)["nodes"]
    columns = window_columns()
    windowed: dict[str, str] = {}
    for unique_id, node in nodes.items():
        attached = node.get("attached_node")
        if node["resource_type"] != "test" or attached not in nodes:
            continue
        documented = nodes[attached].get("columns", {})
        column = next((c for c in columns if c in documented), None)
        if column is not None:
            windowed[unique_id] = column
    return windowed


def check_scope(manifest_path: Path, test_id: str | None, since: date | None) -> dict[str, Any]:
    """Metadata for one asset check: what its test read (``test_scope``)."""
    column = windowed_tests(manifest_path).get(test_id or "") if since is not None else None
    if since is None or column is None:
        return {"test_scope": "every row"}
    monday = window_monday(since)
    return {
        "test_scope": f"rows with {column} >= {monday.isoformat()} (routine incremental build)",
        "tested_since": monday.isoformat(),
    }
