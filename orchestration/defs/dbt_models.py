"""The dbt project as Dagster assets: staging, intermediate and marts on DuckDB.

Unpartitioned on purpose: every model is rebuilt from all landed raw Parquet (the warehouse
is derived and disposable), so one ``dbt build`` after a landing run covers whatever days it
landed, one day or a year. Partitioning the models per day would only record 35 assets x N
days of materialisation events for a build that is the same either way (it made a 120-day
demo spend most of its time writing events).

All warehouse writers share the ``duckdb_warehouse`` pool so two runs never hold DuckDB's
single-writer lock at once, and the warehouse file lock makes any other writer (CLI,
imports) wait rather than fail. dbt data tests surface as asset checks: one ``column_tests``
per model for its generic tests, one per singular test (warehouse/column_checks.py); dbt unit
tests check the SQL, not the data, so they run in CI (tests/integration/test_dbt_unit_tests.py),
not in every scheduled build. dbt is not retried blindly (a failed test would fail again).

The build is incremental (dbt_project/macros/incremental.sql): it re-reads the newest raw
partitions only. It becomes ``--full-refresh`` when asked (run config ``full_refresh: true``,
e.g. from the UI's launchpad) or when the landing run before it wrote a day older than the
incremental window (``orchestration/warehouse/incremental.py``).
"""

import time
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

from orchestration.lib import settings
from orchestration.warehouse.column_checks import (
    ColumnTestResults,
    ColumnTestsTranslator,
    check_only_args,
    dagster_events,
    model_keys,
)
from orchestration.warehouse.dbt_descriptions import test_description
from orchestration.warehouse.dbt_project import dbt_project, manifest_at
from orchestration.warehouse.incremental import (
    LANDED_FROM_TAG,
    needs_full_refresh,
    routine_test_since,
    warehouse_high_water,
)
from orchestration.warehouse.mart_metadata import is_mart, mart_profiles, model_name, tidy
from orchestration.warehouse.test_window import check_scope, tests_since
from orchestration.warehouse.warehouse_lock import warehouse_lock

WAREHOUSE_POOL = "duckdb_warehouse"


class PerpFragilityTranslator(ColumnTestsTranslator):
    """Groups dbt nodes by layer folder (staging, intermediate, marts, reference seeds); one
    ``column_tests`` check per model for its generic tests (warehouse/column_checks.py)."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"

    def get_asset_check_spec(
        self,
        asset_spec: dg.AssetSpec,
        manifest: Mapping[str, Any],
        unique_id: str,
        project: DbtProject | None,
    ) -> dg.AssetCheckSpec | None:
        """The check of a dbt test, described by its dbt test (warehouse/dbt_descriptions.py)
        when dagster-dbt gives none (a singular test without a description)."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        return dg.AssetCheckSpec(
            name=spec.name,
            asset=spec.asset_key,
            description=test_description(manifest["nodes"][unique_id]),
            additional_deps=spec.additional_deps,
            blocking=spec.blocking,
            metadata=spec.metadata,
            automation_condition=spec.automation_condition,
        )


class WarehouseBuildConfig(dg.Config):
    """Run config of the warehouse build."""

    full_refresh: bool = False
    """Rebuild every incremental model from all raw partitions (after a model change)."""


def build_args(
    context: dg.AssetExecutionContext, config: WarehouseBuildConfig
) -> tuple[list[str], date | None]:
    """``dbt build`` arguments: incremental unless asked or unless landed days are too old.

    Also the day the data tests start from (``test_since``): on a routine incremental build
    the window it changed, None (every row) on a first build or a full refresh."""
    args = ["build", "--exclude", "resource_type:unit_test"]
    landed_from = context.run.tags.get(LANDED_FROM_TAG)
    if config.full_refresh:
        context.log.info("full refresh requested in the run config")
        return [*args, "--full-refresh"], None
    if landed_from and needs_full_refresh(date.fromisoformat(landed_from)):
        context.log.info(
            f"landing rewrote {landed_from}, before the incremental window: full refresh"
        )
        return [*args, "--full-refresh"], None
    since = routine_test_since(warehouse_high_water())
    if since is None:
        return args, None
    context.log.info(f"routine build: data tests read the rows from the week of {since} on")
    return args, since


TRANSLATOR = PerpFragilityTranslator()


# No ``project=``: dagster-dbt would store the DbtProject object in every model's definition
# metadata, which the UI can only print as "[DbtProject] (unserializable)". The resource
# already knows the project directory, and the partial-parse cache comes from DBT_TARGET_PATH.
@dbt_assets(
    manifest=dbt_project.manifest_path,
    dagster_dbt_translator=TRANSLATOR,
    pool=WAREHOUSE_POOL,
)
def warehouse_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, config: WarehouseBuildConfig
) -> Iterator[Any]:
    """Build the warehouse (seed, run, test) from what landed since the last build.

    A run that selected only checks (the UI's "Execute check") runs ``dbt test`` on them."""
    with warehouse_lock(exclusive=True):
        events: list[Any] = []
        failure: Exception | None = None
        manifest = manifest_at(dbt_project.manifest_path)
        keys = model_keys(manifest, TRANSLATOR)
        tests_only = check_only_args(context, keys)
        args, since = (tests_only, None) if tests_only else build_args(context, config)
        gathered = ColumnTestResults(manifest)
        try:
            with tests_since(since):
                invocation = (
                    dbt.cli(args, manifest=manifest, dagster_dbt_translator=TRANSLATOR)
                    if tests_only
                    else dbt.cli(args, context=context)
                )
                events.extend(
                    dagster_events(invocation, context, gathered, check_only=bool(tests_only))
                )
        except Exception as exc:  # noqa: BLE001 - re-raised below, after the built models
            failure = exc
            context.log.error(f"dbt build stopped: {type(exc).__name__}: {exc}")
        events.extend(
            gathered.results(
                keys,
                context.selected_asset_check_keys,
                lambda test_id: check_scope(dbt_project.manifest_path, test_id, since),
            )
        )
        # after a failure the dbt process may still hold the warehouse: no mart profiles then
        yield from with_operator_metadata(context, events, since, profile=failure is None)
    if failure is not None:
        raise failure


def with_operator_metadata(
    context: dg.AssetExecutionContext,
    events: list[Any],
    since: date | None = None,
    *,
    profile: bool = True,
) -> Iterator[Any]:
    """dbt's events without its bookkeeping, marts with their profile (warehouse/mart_metadata.py),
    checks with the rows their test read (``test_scope``, warehouse/test_window.py).

    The events are yielded once dbt has exited: the profile reads the warehouse, which the dbt
    process holds locked while it runs. A failed build still records the models it built."""
    marts = [
        name
        for event in events
        if isinstance(event, dg.Output) and is_mart(name := model_name(event.metadata))
    ]
    began = time.perf_counter()
    profiles = mart_profiles(settings.warehouse_path(), marts) if profile else {}
    if profiles:
        context.log.info(f"profiled {len(profiles)} marts in {time.perf_counter() - began:.2f} s")
    for event in events:
        if isinstance(event, dg.Output | dg.AssetCheckResult | dg.AssetMaterialization):
            name = model_name(event.metadata)
            extra = profiles.get(name, {}) if isinstance(event, dg.Output) and name else {}
            test_id = event.metadata.get("unique_id")
            if isinstance(event, dg.AssetCheckResult) and test_id:  # a singular test
                test_id = str(getattr(test_id, "value", test_id))
                extra = check_scope(dbt_project.manifest_path, test_id, since)
            event = event.with_metadata({**tidy(event.metadata), **extra})
        yield event


# Every model with its checks. dagster-dbt's ``build_dbt_asset_selection`` finds a test's check
# by the test's name, so it would leave out the ``column_tests`` checks.
WAREHOUSE_SELECTION = dg.AssetSelection.assets(warehouse_models)
