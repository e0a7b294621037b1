"""``all_channels_delivered``: passed or failed per configured channel, skipped without one."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from orchestration.defs.distribution import DELIVERY_CHECK, DELIVERY_KEY, weekly_report_delivery
from orchestration.resources.distribution import DistributionResource

WEEK_KEY = "2026-W47-1"
CHECK_KEY = dg.AssetCheckKey(DELIVERY_KEY, DELIVERY_CHECK)


def _deliver(tmp_path: Path, distribution: DistributionResource) -> dg.ExecuteInProcessResult:
    instance = dg.DagsterInstance.ephemeral()
    reports = tmp_path / "data" / "reports"
    reports.mkdir(parents=True)
    (reports / "fragility-2026-W47.pdf").write_bytes(b"%PDF-1.7\n%%EOF\n")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PERP_FRAGILITY_DATA_DIR", str(tmp_path / "data"))
        result = dg.materialize(
            [weekly_report_delivery],
            partition_key=WEEK_KEY,
            instance=instance,
            resources={"distribution": distribution},
        )
    assert result.success
    return result


def test_no_channel_records_no_result_so_the_ui_shows_skipped(tmp_path: Path) -> None:
    result = _deliver(tmp_path, DistributionResource())
    # the check is planned (selected) but not evaluated in a successful run: "Skipped" in the
    # UI (tests/integration/test_ui_browser.py asserts that status over GraphQL)
    assert CHECK_KEY in weekly_report_delivery.check_keys
    assert result.get_asset_check_evaluations() == []
    (materialization,) = result.asset_materializations_for_node("weekly_report_delivery")
    assert materialization.metadata["channels"].value == {}


def test_a_configured_channel_records_a_real_result(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    result = _deliver(tmp_path, DistributionResource(archive_dir=str(archive)))
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.check_name == DELIVERY_CHECK and evaluation.passed
    assert any(archive.rglob("*.pdf"))


def test_a_failing_channel_fails_the_check(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the archive directory should be")
    result = _deliver(tmp_path, DistributionResource(archive_dir=str(blocker), retries=0))
    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed
    assert evaluation.metadata["failed_channels"].value == "file_drop"
