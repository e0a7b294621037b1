"""The dbt project as Dagster assets: staging, intermediate and marts on DuckDB.

Daily-partitioned like the raw data they read, with a single-run backfill policy: a one-year
backfill runs ``dbt build`` once for the whole range, not once per day. The partition window
reaches dbt as the vars ``start_date``/``end_date`` (incremental models use them; full models
ignore them). All warehouse writers share the ``duckdb_warehouse`` pool so two runs never hold
DuckDB's single-writer lock at once, and the warehouse file lock makes any other writer (CLI,
imports) wait rather than fail. dbt data tests surface as asset checks; dbt unit tests check
the SQL, not the data, so they run in CI (tests/integration/test_dbt_unit_tests.py), not in
every scheduled build. dbt is not retried blindly (a failed test would fail again).
"""

import json
from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.dbt_project import dbt_project
from orchestration.defs.partitions import daily_partitions
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
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=WAREHOUSE_POOL,
)
def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    """Build the warehouse (seed, run, test) for the partition window."""
    window = context.partition_time_window
    dbt_vars = {
        "start_date": window.start.date().isoformat(),
        "end_date": (window.end.date() - timedelta(days=1)).isoformat(),
    }
    with warehouse_lock(exclusive=True):
        args = ["build", "--vars", json.dumps(dbt_vars), "--exclude", "resource_type:unit_test"]
        yield from dbt.cli(args, context=context).stream()
