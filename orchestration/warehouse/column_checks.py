"""One asset check per dbt model for its generic tests: ``column_tests``.

dagster-dbt turns every dbt test into its own asset check, and each check costs Dagster a
planned event, a result event and their bookkeeping in the event log, on every build: 351
checks wrote 1,236 events per warehouse run, most of the build's wall time at one year of
history (docs/performance.md). The generic tests of a model (``not_null``, ``unique``,
``accepted_range``, ``relationships`` on its columns, declared in the model's yml) answer one
question an operator asks, "are this table's columns what its contract says?", so they become
one check, ``column_tests``, whose metadata lists every test that did not pass, its rule and
its failing rows. Singular tests (``tests/singular``) state a business rule each and stay
checks of their own, under dagster-dbt's names.

Only public dagster-dbt API is used: the translator's ``get_asset_check_spec`` names the check
(dagster-dbt keeps one spec per name and asset), and the build reads
``DbtCliInvocation.stream_raw_events()``: model and singular-test results go through
``DbtCliEventMessage.to_default_asset_events``, generic-test results are gathered here and
yielded as one ``AssetCheckResult`` per model once dbt has exited.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliInvocation

from orchestration.warehouse.dbt_descriptions import test_description

COLUMN_TESTS = "column_tests"
UNIQUE_ID_KEY = "dagster_dbt/unique_id"  # dagster-dbt's key for the dbt node a check runs
PASSING = "pass"
FAILING = ("fail", "error")  # dbt's statuses of a test that fails the build (else "warn")


def is_column_test(node: Mapping[str, Any]) -> bool:
    """A generic test declared on a model's column (or the model): it has an attached node."""
    return (
        node.get("resource_type") == "test"
        and bool(node.get("test_metadata"))
        and str(node.get("attached_node", "")).startswith("model.")
    )


def column_tests_by_model(manifest: Mapping[str, Any]) -> dict[str, list[str]]:
    """Model unique_id -> the unique_ids of its generic tests, sorted (one pass)."""
    tests: dict[str, list[str]] = defaultdict(list)
    for unique_id, node in manifest["nodes"].items():
        if is_column_test(node):
            tests[node["attached_node"]].append(unique_id)
    return {model: sorted(ids) for model, ids in tests.items()}


def column_tests_spec(
    asset_key: dg.AssetKey,
    manifest: Mapping[str, Any],
    model_id: str,
    tests: list[str],
    key_of: Callable[[str], dg.AssetKey],
) -> dg.AssetCheckSpec:
    """The one check of ``model_id``'s generic ``tests``, described by the rule of each.

    As dagster-dbt's per-test checks were: blocking when one of its tests has error severity
    (dbt's default), and depending on the other models its tests read (a relationships test's
    parent; ``key_of(unique_id)`` names their assets). Its ``dagster_dbt/unique_id`` names the
    model's first test: dagster-dbt reads it when a subset of one asset excludes some of its
    checks; a check-only run of ``column_tests`` is run here instead (:func:`check_only_args`)."""
    nodes = manifest["nodes"]
    rules = "\n".join(f"- {test_description(nodes[t])}" for t in tests)
    parents = {p for t in tests for p in nodes[t].get("depends_on", {}).get("nodes", [])}
    return dg.AssetCheckSpec(
        name=COLUMN_TESTS,
        asset=asset_key,
        description=(
            f"The {len(tests)} column tests declared on `{nodes[model_id]['name']}` (its yml):"
            f"\n\n{rules}"
        ),
        additional_deps=sorted(
            {key_of(p) for p in parents if p != model_id}, key=lambda k: k.to_user_string()
        ),
        blocking=any(
            str((nodes[t].get("config") or {}).get("severity") or "error").lower() == "error"
            for t in tests
        ),
        metadata={UNIQUE_ID_KEY: tests[0], "tests": len(tests)},
    )


class ColumnTestsTranslator(DagsterDbtTranslator):
    """Maps every generic test of a model to that model's ``column_tests`` check.

    dagster-dbt asks once per test and per model the test reads (a relationships test is
    offered to its parent too, which gets no check, as dagster-dbt's own rule has it); the
    spec is built once per model, the manifest indexed in one pass."""

    _column_specs: dict[str, dg.AssetCheckSpec] | None = None
    _indexed: int | None = None  # id() of the manifest the specs were built from
    _tests_by_model: dict[str, list[str]]

    def get_asset_check_spec(
        self,
        asset_spec: dg.AssetSpec,
        manifest: Mapping[str, Any],
        unique_id: str,
        project: Any,  # noqa: ANN401 - dagster-dbt's DbtProject or None
    ) -> dg.AssetCheckSpec | None:
        node = manifest["nodes"].get(unique_id, {})
        if not is_column_test(node):
            return super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        model_id = node["attached_node"]

        def key_of(node_id: str) -> dg.AssetKey:
            return self.get_asset_spec(manifest, node_id, project).key

        if key_of(model_id) != asset_spec.key:  # offered to a model the test only reads
            return None
        if self._indexed != id(manifest) or self._column_specs is None:
            self._indexed, self._column_specs = id(manifest), {}
            self._tests_by_model = column_tests_by_model(manifest)
        if model_id not in self._column_specs:
            self._column_specs[model_id] = column_tests_spec(
                asset_spec.key, manifest, model_id, self._tests_by_model[model_id], key_of
            )
        return self._column_specs[model_id]


@dataclass
class TestOutcome:
    """One generic test's result, as dbt reported it (``LogTestResult``)."""

    unique_id: str
    status: str
    failures: int | None


@dataclass
class ColumnTestResults:
    """The generic-test results of one build, gathered per tested model."""

    manifest: Mapping[str, Any]
    by_model: dict[str, list[TestOutcome]] = field(default_factory=lambda: defaultdict(list))

    def add(self, raw_event: Mapping[str, Any]) -> bool:
        """Keep the event if it is a generic test's result; True when it was kept."""
        if raw_event.get("info", {}).get("name") != "LogTestResult":
            return False
        data = raw_event.get("data", {})
        node = self.manifest["nodes"].get(data.get("node_info", {}).get("unique_id", ""))
        if node is None or not is_column_test(node):
            return False
        failures = data.get("num_failures")
        self.by_model[node["attached_node"]].append(
            TestOutcome(node["unique_id"], str(data.get("status", "")).lower(),
                        None if failures is None else int(failures))
        )
        return True

    def results(
        self,
        key_of_model: Mapping[str, dg.AssetKey],
        selected: Iterable[dg.AssetCheckKey],
        scope: Callable[[str], Mapping[str, Any]] = lambda _test_id: {},
    ) -> Iterator[dg.AssetCheckResult]:
        """One ``column_tests`` result per selected model whose tests ran.

        ``scope(test unique_id)``: metadata on what rows a test read; a model's generic tests
        all read the same window (the model's), so its first test speaks for them."""
        wanted = set(selected)
        for model_id, outcomes in sorted(self.by_model.items()):
            key = key_of_model.get(model_id)
            if key is not None and dg.AssetCheckKey(key, COLUMN_TESTS) in wanted:
                yield self.result(key, outcomes, scope(outcomes[0].unique_id))

    def result(
        self, key: dg.AssetKey, outcomes: list[TestOutcome], extra: Mapping[str, Any]
    ) -> dg.AssetCheckResult:
        """Passed when every test passed; ERROR if one failed, WARN if the others only warned."""
        not_passing = [o for o in outcomes if o.status != PASSING]
        failing = [o for o in not_passing if o.status in FAILING]
        metadata: dict[str, Any] = {
            "tests_run": len(outcomes),
            "tests_not_passing": len(not_passing),
            "failed_rows": sum(o.failures or 0 for o in not_passing),
            **extra,
        }
        if not_passing:
            metadata["not_passing"] = dg.MetadataValue.md(self.table(not_passing))
        return dg.AssetCheckResult(
            asset_key=key,
            check_name=COLUMN_TESTS,
            passed=not not_passing,
            severity=dg.AssetCheckSeverity.ERROR if failing else dg.AssetCheckSeverity.WARN,
            metadata=metadata,
        )

    def table(self, outcomes: list[TestOutcome]) -> str:
        """A Markdown table of the tests that did not pass: test, rule, status, failing rows."""
        lines = ["| test | rule | status | failing rows |", "|---|---|---|---:|"]
        for o in outcomes:
            node = self.manifest["nodes"][o.unique_id]
            rule = test_description(node).replace("|", "\\|")
            failures = "" if o.failures is None else str(o.failures)
            lines.append(f"| {node['name']} | {rule} | {o.status} | {failures} |")
        return "\n".join(lines)


def model_keys(manifest: Mapping[str, Any], translator: DagsterDbtTranslator) -> dict[str, Any]:
    """Model unique_id -> its asset key, as the translator names it."""
    return {
        unique_id: translator.get_asset_key(node)
        for unique_id, node in manifest["nodes"].items()
        if node.get("resource_type") == "model"
    }


def dagster_events(
    invocation: DbtCliInvocation,
    context: dg.AssetExecutionContext,
    gathered: ColumnTestResults,
    *,
    check_only: bool = False,
) -> Iterator[Any]:
    """dagster-dbt's events for models and singular tests; generic tests go to ``gathered``.

    A check-only invocation was started without the context (its selection is ours,
    :func:`check_only_args`), so dagster-dbt reports its singular tests as evaluations: they
    become the results of the checks the run selected."""
    selected = context.selected_asset_check_keys
    for event in invocation.stream_raw_events():
        if gathered.add(event.raw_event):
            continue
        for dagster_event in event.to_default_asset_events(
            manifest=invocation.manifest,
            dagster_dbt_translator=invocation.dagster_dbt_translator,
            context=None if check_only else context,
            target_path=invocation.target_path,
        ):
            if isinstance(dagster_event, dg.AssetCheckEvaluation):
                key = dg.AssetCheckKey(dagster_event.asset_key, dagster_event.check_name)
                if key in selected:
                    yield dg.AssetCheckResult(
                        asset_key=key.asset_key,
                        check_name=key.name,
                        passed=dagster_event.passed,
                        severity=dagster_event.severity,
                        metadata=dagster_event.metadata,
                    )
            else:
                yield dagster_event


def check_only_args(
    context: dg.AssetExecutionContext, key_of_model: Mapping[str, dg.AssetKey]
) -> list[str] | None:
    """``dbt test`` of the checks a check-only run selected (the UI's "Execute check"), or
    None when the run builds assets.

    dagster-dbt would select a ``column_tests`` check by the one test its spec names, so such
    runs select the model's generic tests here (``<model>,test_type:generic``); a singular
    test's check carries the test's name."""
    if context.selected_asset_keys or not context.selected_asset_check_keys:
        return None
    model_of_key = {key: unique_id.rsplit(".", 1)[-1] for unique_id, key in key_of_model.items()}
    selectors = sorted(
        f"{model_of_key[check.asset_key]},test_type:generic"
        if check.name == COLUMN_TESTS
        else check.name
        for check in context.selected_asset_check_keys
        if check.asset_key in model_of_key or check.name != COLUMN_TESTS
    )
    return ["test", "--select", *selectors]
