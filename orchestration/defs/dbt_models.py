"""The dbt project as Dagster assets: staging, intermediate and marts on DuckDB.

Unpartitioned on purpose: every model is rebuilt from all landed raw Parquet (the warehouse
is derived and disposable), so one ``dbt build`` after a landing run covers whatever days it
landed, one day or a year. Partitioning the models per day would only record 35 assets x N
days of materialisation events for a build that is the same either way (it made a 120-day
demo spend most of its time writing events).

All warehouse writers share the ``duckdb_warehouse`` pool so two runs never hold DuckDB's
single-writer lock at once, and the warehouse file lock makes any other writer (CLI,
imports) wait rather than fail. dbt data tests surface as asset checks; dbt unit tests check
the SQL, not the data, so they run in CI (tests/integration/test_dbt_unit_tests.py), not in
every scheduled build. dbt is not retried blindly (a failed test would fail again).
"""

from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.dbt_project import dbt_project
from orchestration.lib.warehouse_lock import warehouse_lock

WAREHOUSE_POOL = "duckdb_warehouse"


class PerpFragilityTranslator(DagsterDbtTranslator):
    """Groups dbt nodes by layer folder (staging, intermediate, marts, reference seeds)."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=PerpFragilityTranslator(),
    pool=WAREHOUSE_POOL,
)
def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    """Build the warehouse (seed, run, test) from everything landed."""
    with warehouse_lock(exclusive=True):
        args = ["build", "--exclude", "resource_type:unit_test"]
        yield from dbt.cli(args, context=context).stream()
