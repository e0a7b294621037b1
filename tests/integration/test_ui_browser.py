"""The Dagster UI for real: ``dagster dev`` on 127.0.0.1, GraphQL, and headless Chromium.

Why: the asset graph, schedules, checks and metadata are what a user sees in the UI; unit
tests of the definitions cannot show that the code location loads under ``dagster dev``, that
the webserver serves it, or that a materialised asset's page shows its PDF path. This test
starts ``dagster dev -w workspace.yaml`` (what ``make dev`` runs) as a subprocess in its own
process group against a persistent instance, asks GraphQL for the asset graph, schedules and
checks, and drives Debian's Chromium through Playwright (``executable_path``; a downloaded
browser cannot be fetched here) to screenshot the asset graph and asset pages.

Data: the session's ``pipeline_run`` fixture already landed four weeks and built the
warehouse, but into an ephemeral instance (no runs to show). This module copies that data
directory, points a persistent ``DAGSTER_HOME`` at the copy and records, in process, one day
of raw landing (``daily_market_job``, raw assets, 2026-11-22), one incremental ``dbt build``
(``warehouse_job``: the marts' pages need their metadata and checks) and the 2026-W47 report.
The UI runs with the default first date (``PERP_FRAGILITY_FIRST_DATE`` unset): partitions from
the demo window, as after ``make demo``.

Screenshots go to ``<tmp>/ui-artifacts/`` and are copied to ``test-artifacts/ui/`` in the
repository root (gitignored) for CI to keep. The server's process group is always stopped:
SIGINT, then SIGKILL, both bounded.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest

pytestmark = pytest.mark.e2e  # builds on the session's pipeline_run (four weeks, dbt, PDF)

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO_ARTIFACTS = REPO_ROOT / "test-artifacts" / "ui"
RAW_DAY = date(2026, 11, 22)
REPORT_WEEK = "2026-W47"
REPORT_PARTITION = "2026-W47-1"  # 2026-W47's weekly partition: the ISO date of its Monday
MART = "fct_funding_daily"
# dbt's run bookkeeping on events, and objects the UI cannot print, never on a mart's page
# (dagster-dbt's own definition metadata, e.g. dagster_dbt/unique_id, it needs at run time)
DBT_BOOKKEEPING = ("Execution Duration", "invocation_id", "unserializable")
# `dagster dev` answers GraphQL after ~13 s on an idle 2-core machine; much longer when other
# jobs load it. Bounded, generous, and the wait ends as soon as the code location is loaded.
READY_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 20.0
PAGE_TIMEOUT_MS = 60_000
TIMINGS: dict[str, float] = {}  # seconds per phase, written to timings.json for the report
SCHEDULES = {
    "daily_market_job_schedule": "45 0 * * *",
    "weekly_report_job_schedule": "0 2 * * 1",
}


@dataclass(frozen=True)
class UiData:
    data_dir: Path
    dagster_home: Path
    pdf: Path


@dataclass(frozen=True)
class DagsterUi:
    url: str
    data: UiData
    artifacts: Path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def graphql(url: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """POST one GraphQL query; fail on transport or GraphQL errors."""
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(
        f"{url}/graphql", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        payload = json.load(response)
    assert not payload.get("errors"), payload["errors"]
    return payload["data"]


LOCATION_QUERY = """
{ workspaceOrError { __typename ... on Workspace { locationEntries {
    name loadStatus
    locationOrLoadError { __typename ... on PythonError { message } }
} } } }
"""


def _wait_until_loaded(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    """Poll /server_info, then GraphQL until the code location has loaded (bounded)."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"dagster dev exited with {proc.returncode}:\n{_tail(log)}")
        try:
            urllib.request.urlopen(f"{url}/server_info", timeout=5).read()
            entries = graphql(url, LOCATION_QUERY)["workspaceOrError"]["locationEntries"]
            if entries and all(e["loadStatus"] == "LOADED" for e in entries):
                errors = [
                    e["locationOrLoadError"]
                    for e in entries
                    if e["locationOrLoadError"]["__typename"] == "PythonError"
                ]
                assert not errors, f"code location failed to load: {errors}"
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"dagster dev not ready within {READY_TIMEOUT_S:.0f} s:\n{_tail(log)}"
            )
        time.sleep(1.0)


def _tail(log: Path, chars: int = 3000) -> str:
    return log.read_text(errors="replace")[-chars:] if log.exists() else "(no log)"


def _stop_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGINT the process group (dagster dev stops webserver, daemon, code servers), then
    SIGKILL whatever is left; each wait is bounded."""
    pgid = proc.pid
    for sig, wait_s in ((signal.SIGINT, STOP_TIMEOUT_S), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            proc.poll()
            try:
                os.killpg(pgid, 0)  # raises once no process of the group is left
            except ProcessLookupError:
                return
            time.sleep(0.2)
    proc.wait(timeout=5)


@pytest.fixture(scope="module")
def ui_data(pipeline_run: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiData]:
    """A copy of the pipeline's data with a persistent instance holding real runs."""
    import dagster as dg

    from orchestration import cli
    from orchestration.commands.pipeline import CONSOLE_INFO
    from orchestration.definitions import defs
    from orchestration.instance import ensure_dagster_home
    from orchestration.landing.raw_schemas import ALL_DATASETS

    began = time.monotonic()
    root = tmp_path_factory.mktemp("ui")
    data_dir = root / "data"
    shutil.copytree(
        pipeline_run.data_dir,
        data_dir,
        ignore=shutil.ignore_patterns("dagster_home", "*.lock", "*.wal"),
    )
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PERP_FRAGILITY_DATA_DIR", str(data_dir))
        env.setenv("DAGSTER_HOME", str(data_dir / "dagster_home"))
        env.setenv("PERP_FRAGILITY_SOURCE", "simulated")
        home = ensure_dagster_home()  # the product's dagster.yaml (SQLite, pools limited to 1)
        with dg.DagsterInstance.from_config(str(home)) as instance:
            job = defs().resolve_job_def("daily_market_job")
            raw = [dg.AssetKey(["raw", dataset.name]) for dataset in ALL_DATASETS]
            result = job.execute_in_process(
                instance=instance, partition_key=RAW_DAY.isoformat(), asset_selection=raw
            )
            assert result.success
            build = (
                defs()
                .resolve_job_def("warehouse_job")
                .execute_in_process(instance=instance, run_config=CONSOLE_INFO)
            )
            assert build.success
            pdf = cli.render_week(REPORT_WEEK, instance=instance)
    assert pdf.is_file() and pdf.is_relative_to(data_dir)
    TIMINGS["record_runs_s"] = round(time.monotonic() - began, 1)
    yield UiData(data_dir=data_dir, dagster_home=home, pdf=pdf)


@pytest.fixture(scope="module")
def dagster_ui(ui_data: UiData, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DagsterUi]:
    """``dagster dev`` on a free loopback port, in its own process group, always stopped."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    artifacts = tmp_path_factory.mktemp("ui-run") / "ui-artifacts"
    artifacts.mkdir()
    log = artifacts / "dagster-dev.log"
    env = {
        **{k: v for k, v in os.environ.items() if k != "PERP_FRAGILITY_FIRST_DATE"},
        "PERP_FRAGILITY_DATA_DIR": str(ui_data.data_dir),
        "DAGSTER_HOME": str(ui_data.dagster_home),
        "PERP_FRAGILITY_SOURCE": "simulated",
        "PYTHONUNBUFFERED": "1",
    }
    dagster = Path(sys.executable).with_name("dagster")
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(dagster), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: one killpg stops every child
            # a shell without job control may have left SIGINT ignored; dagster dev needs it
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        try:
            began = time.monotonic()
            _wait_until_loaded(url, proc, log)
            TIMINGS["dagster_dev_ready_s"] = round(time.monotonic() - began, 1)
            yield DagsterUi(url=url, data=ui_data, artifacts=artifacts)
        finally:
            _stop_group(proc)


ASSETS_QUERY = """
{ assetNodes {
    assetKey { path }
    groupName
    assetChecksOrError { __typename ... on AssetChecks { checks {
        name blocking description executionForLatestMaterialization { status }
    } } }
} }
"""

PARTITIONS_QUERY = """
query ($path: [String!]!) { assetNodeOrError(assetKey: {path: $path}) {
    __typename ... on AssetNode { partitionKeysByDimension { partitionKeys } }
} }
"""

MART_QUERY = """
query ($path: [String!]!) { assetOrError(assetKey: {path: $path}) {
    __typename
    ... on Asset { assetMaterializations(limit: 1) {
        metadataEntries {
            label __typename
            ... on IntMetadataEntry { intValue }
            ... on TextMetadataEntry { text }
            ... on MarkdownMetadataEntry { mdStr }
        }
    } }
} }
"""

SCHEDULES_QUERY = """
{ repositoriesOrError { __typename ... on RepositoryConnection { nodes {
    name location { name }
    schedules { name cronSchedule executionTimezone scheduleState { status } }
} } } }
"""

MATERIALIZATION_QUERY = """
query ($path: [String!]!) { assetOrError(assetKey: {path: $path}) {
    __typename
    ... on Asset { assetMaterializations(limit: 1) {
        partition
        metadataEntries { label __typename ... on PathMetadataEntry { path } }
    } }
} }
"""


def test_graphql_serves_asset_graph_schedules_and_checks(dagster_ui: DagsterUi) -> None:
    """The webserver's GraphQL lists the graph from raw to the PDF, both schedules, checks,
    and the report's materialisation with its PDF path."""
    from orchestration.landing.raw_schemas import ALL_DATASETS

    nodes = graphql(dagster_ui.url, ASSETS_QUERY)["assetNodes"]
    keys = {"/".join(n["assetKey"]["path"]) for n in nodes}
    expected = {f"raw/{d.name}" for d in ALL_DATASETS} | {
        "fct_fragility_weekly",
        "reports/weekly_fragility_pdf",
    }
    assert expected <= keys, f"missing from the UI's asset graph: {expected - keys}"

    checks = {
        "/".join(n["assetKey"]["path"]): [c["name"] for c in n["assetChecksOrError"]["checks"]]
        for n in nodes
        if n["assetChecksOrError"]["__typename"] == "AssetChecks"
    }
    assert checks.get("fct_fragility_weekly"), "the fragility mart shows no asset checks"
    assert sum(len(names) for names in checks.values()) >= 10

    repos = graphql(dagster_ui.url, SCHEDULES_QUERY)["repositoriesOrError"]["nodes"]
    schedules = {s["name"]: s for repo in repos for s in repo["schedules"]}
    for name, cron in SCHEDULES.items():
        assert name in schedules, f"schedule {name} missing; have {sorted(schedules)}"
        assert schedules[name]["cronSchedule"] == cron
        assert schedules[name]["executionTimezone"] == "UTC"
        assert schedules[name]["scheduleState"]["status"] in {"RUNNING", "STOPPED"}

    asset = graphql(
        dagster_ui.url, MATERIALIZATION_QUERY, {"path": ["reports", "weekly_fragility_pdf"]}
    )["assetOrError"]
    assert asset["__typename"] == "Asset"
    (latest,) = asset["assetMaterializations"]
    assert latest["partition"] == REPORT_PARTITION
    paths = [e["path"] for e in latest["metadataEntries"] if e["__typename"] == "PathMetadataEntry"]
    assert str(dagster_ui.data.pdf) in paths


def test_graphql_shows_what_an_operator_needs(dagster_ui: DagsterUi) -> None:
    """Every check described; delivery skipped without a channel; the demo's raw data fresh;
    marts with row count, date coverage and preview and no dbt bookkeeping; ISO-week report
    partitions and daily partitions from the demo window."""
    nodes = graphql(dagster_ui.url, ASSETS_QUERY)["assetNodes"]
    checks = {
        ("/".join(n["assetKey"]["path"]), c["name"]): c
        for n in nodes
        if n["assetChecksOrError"]["__typename"] == "AssetChecks"
        for c in n["assetChecksOrError"]["checks"]
    }
    undescribed = sorted(f"{a}:{c}" for (a, c), check in checks.items() if not check["description"])
    assert not undescribed, f"checks without a description: {undescribed[:10]}"

    def status(asset: str, check: str) -> str | None:
        execution = checks[(asset, check)]["executionForLatestMaterialization"]
        return execution and execution["status"]

    assert status("reports/weekly_report_delivery", "all_channels_delivered") == "SKIPPED"
    assert status("raw/funding_rates", "fresh_against_calendar") == "SUCCEEDED"
    # singular tests are checks on the mart they test (one of them reads two models)
    assert status(MART, "assert_funding_daily_realised_matches_settlements") == "SUCCEEDED"
    assert ("fct_fragility_weekly", "assert_fragility_weights_sum_to_one") in checks
    # a model's generic tests are one check, described rule by rule
    assert status(MART, "column_tests") == "SUCCEEDED"
    assert "is never null" in checks[(MART, "column_tests")]["description"]
    assert not [c for (a, c) in checks if c.startswith(("not_null_", "unique_", "accepted_"))]

    asset = graphql(dagster_ui.url, MART_QUERY, {"path": [MART]})["assetOrError"]
    (latest,) = asset["assetMaterializations"]
    entries = {e["label"]: e for e in latest["metadataEntries"]}
    assert entries["dagster/row_count"]["intValue"] > 0
    assert entries["date_coverage"]["text"].startswith("2026-10-26 .. 2026-11-22")
    assert "| date | venue | base_asset |" in entries["preview"]["mdStr"]
    assert not {"Execution Duration", "unique_id", "invocation_id"} & set(entries), sorted(entries)

    def keys(path: list[str]) -> list[str]:
        node = graphql(dagster_ui.url, PARTITIONS_QUERY, {"path": path})["assetNodeOrError"]
        return node["partitionKeysByDimension"][0]["partitionKeys"]

    weeks = keys(["reports", "weekly_fragility_pdf"])
    from orchestration.defs.partitions import first_monday
    from orchestration.lib.demo_window import demo_start
    from orchestration.lib.weeks import WEEK_KEY_FORMAT

    # the demo window's first full ISO week (2025-W36-1 for the 448-day window)
    assert weeks[0] == first_monday(demo_start()).strftime(WEEK_KEY_FORMAT)
    assert REPORT_PARTITION in weeks
    days = keys(["raw", "funding_rates"])
    assert days[0] == demo_start().isoformat(), "daily partitions should start with the demo window"


def _graph_url(base: str) -> str:
    """Global lineage filtered to funding -> ... -> report, groups expanded, sidebar open."""
    selection = 'key:"raw/funding_rates"+ and +key:"reports/weekly_fragility_pdf"'
    groups = ["raw_exchange", "staging", "intermediate", "marts", "report"]
    params = [("expanded", ",".join(f"global@global:{g}" for g in groups))]
    params += [
        (f"open-nodes[{i}]", f"global@global:{g}")
        for i, g in enumerate(("raw_exchange", "marts", "report"))
    ]
    return f"{base}/asset-groups~{quote(selection, safe='')}?{urlencode(params)}"


def test_browser_shows_asset_graph_and_materialised_pages(dagster_ui: DagsterUi) -> None:
    """Headless Chromium opens the asset graph and two materialised asset pages; screenshots
    are kept as test artefacts."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: run scripts/install-system-deps.sh (Debian chromium)")
    from playwright.sync_api import sync_playwright

    shots: list[Path] = []
    began = time.monotonic()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1800, "height": 1100})
            # The community sign-up dialog covers the page on first visit; mark it as seen.
            context.add_init_script("window.localStorage.setItem('communityNux', '1')")
            context.set_default_timeout(PAGE_TIMEOUT_MS)
            page = context.new_page()
            try:
                _visit_pages(page, dagster_ui, shots)
            except Exception:
                # keep what the browser saw for the CI artefacts, then fail as before
                failure = dagster_ui.artifacts / "failure.png"
                page.screenshot(path=str(failure))
                REPO_ARTIFACTS.mkdir(parents=True, exist_ok=True)
                shutil.copy2(failure, REPO_ARTIFACTS / failure.name)
                raise
        finally:
            browser.close()
    TIMINGS["browser_s"] = round(time.monotonic() - began, 1)

    REPO_ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for shot in shots:
        assert shot.stat().st_size > 10_000, f"{shot} looks empty"
        shutil.copy2(shot, REPO_ARTIFACTS / shot.name)
    (REPO_ARTIFACTS / "timings.json").write_text(json.dumps(TIMINGS, indent=1))
    shutil.copy2(dagster_ui.artifacts / "dagster-dev.log", REPO_ARTIFACTS / "dagster-dev.log")


def _visit_pages(page: Any, dagster_ui: DagsterUi, shots: list[Path]) -> None:
    """The three pages, each asserted on its visible text before its screenshot."""
    # 1. the asset graph, raw funding through the marts to the PDF
    page.goto(_graph_url(dagster_ui.url), wait_until="networkidle")
    page.get_by_text("fct_fragility_weekly").first.wait_for()
    page.get_by_text("fetching statuses").first.wait_for(state="detached")
    text = page.inner_text("body")
    for name in ("funding_rates", "fct_fragility_weekly", "weekly_fragility_pdf"):
        assert name in text, f"{name} not shown on the asset graph page"
    # the groups read left to right in the data's flow: raw -> marts -> report
    flow = ("funding_rates", "fct_fragility_weekly", "weekly_fragility_pdf")
    lefts = [page.get_by_text(name, exact=True).first.bounding_box()["x"] for name in flow]
    placed = dict(zip(flow, lefts, strict=True))
    assert lefts == sorted(lefts), f"asset graph not in flow order: {placed}"
    shots.append(dagster_ui.artifacts / "asset-graph.png")
    page.screenshot(path=str(shots[-1]))

    # 2. the report asset: latest materialisation, the PDF path and the key-figures preview
    page.goto(f"{dagster_ui.url}/assets/reports/weekly_fragility_pdf", wait_until="networkidle")
    page.get_by_text(str(dagster_ui.data.pdf)).first.wait_for()
    text = page.inner_text("body")
    assert "Latest materialization" in text and REPORT_PARTITION in text
    assert "path" in text and dagster_ui.data.pdf.name in text
    shots.append(dagster_ui.artifacts / "asset-weekly_fragility_pdf.png")
    page.screenshot(path=str(shots[-1]), full_page=True)

    # 3. a raw dataset: its landed partition and metadata
    page.goto(f"{dagster_ui.url}/assets/raw/funding_rates", wait_until="networkidle")
    page.get_by_text("Latest materialization").first.wait_for()
    page.get_by_text(RAW_DAY.isoformat()).first.wait_for()
    text = page.inner_text("body")
    assert "funding_rates" in text
    assert "Row count" in text  # dagster/row_count from the landing asset
    assert "first_day" in text and "last_day" in text  # date coverage of the landed range
    shots.append(dagster_ui.artifacts / "asset-raw_funding_rates.png")
    page.screenshot(path=str(shots[-1]), full_page=True)

    # 4. a mart: row count, date coverage and the preview of its latest rows
    page.goto(f"{dagster_ui.url}/assets/{MART}", wait_until="networkidle")
    page.get_by_text("date_coverage").first.wait_for()
    text = page.inner_text("body")
    assert "Row count" in text and "preview" in text and "2026-11-22" in text
    for label in DBT_BOOKKEEPING:
        assert label not in text, f"dbt bookkeeping {label!r} shown on the mart's page"
    # the page scrolls inside its own pane: bring the metadata table into the screenshot
    page.get_by_text("date_coverage", exact=True).first.scroll_into_view_if_needed()
    shots.append(dagster_ui.artifacts / f"asset-{MART}.png")
    page.screenshot(path=str(shots[-1]))

    # 5. the mart's checks: each described, the singular test reading two models among them
    singular = "assert_funding_daily_realised_matches_settlements"
    page.goto(
        f"{dagster_ui.url}/assets/{MART}?view=checks&checkDetail={singular}",
        wait_until="networkidle",
    )
    page.get_by_text("reconciles with fct_funding_rates").first.wait_for()
    text = page.inner_text("body")
    assert "No description provided" not in text
    shots.append(dagster_ui.artifacts / f"checks-{MART}.png")
    page.screenshot(path=str(shots[-1]), full_page=True)

    # 5b. the mart's column tests: one check listing every rule
    page.goto(
        f"{dagster_ui.url}/assets/{MART}?view=checks&checkDetail=column_tests",
        wait_until="networkidle",
    )
    page.get_by_text("column tests declared on").first.wait_for()
    shots.append(dagster_ui.artifacts / f"column-tests-{MART}.png")
    page.screenshot(path=str(shots[-1]), full_page=True)

    # 6. the delivery check without a channel: skipped, not passed
    page.goto(
        f"{dagster_ui.url}/assets/reports/weekly_report_delivery?view=checks",
        wait_until="networkidle",
    )
    page.get_by_text("all_channels_delivered").first.wait_for()
    page.get_by_text("Skipped").first.wait_for()
    shots.append(dagster_ui.artifacts / "checks-weekly_report_delivery.png")
    page.screenshot(path=str(shots[-1]), full_page=True)

    # 7. the report's partitions: ISO weeks from the demo window
    page.goto(
        f"{dagster_ui.url}/assets/reports/weekly_fragility_pdf?view=partitions",
        wait_until="networkidle",
    )
    page.get_by_text(REPORT_PARTITION).first.wait_for()
    shots.append(dagster_ui.artifacts / "partitions-weekly_fragility_pdf.png")
    page.screenshot(path=str(shots[-1]), full_page=True)
