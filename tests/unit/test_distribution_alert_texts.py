"""Alert texts built from plain values (what the sensors hand over)."""

from __future__ import annotations

from orchestration.distribution.sensors_support import (
    FailedCheck,
    FailedStep,
    check_failure_alert,
    checks_failure_alert,
    first_line,
    metadata_summary,
    partition_from_tags,
    run_failure_alert,
    run_url,
)


class Wrapped:
    """Stands in for Dagster's MetadataValue (``.value``)."""

    def __init__(self, value: object):
        self.value = value


def test_first_line_and_partition_tags() -> None:
    assert first_line("\n  ValueError: boom  \nTraceback ...") == "ValueError: boom"
    assert first_line(None) == "" and len(first_line("x" * 1000, limit=50)) == 50
    assert partition_from_tags({"dagster/partition": "2026-11-16"}) == "2026-11-16"
    assert (
        partition_from_tags(
            {
                "dagster/asset_partition_range_start": "2026-01-01",
                "dagster/asset_partition_range_end": "2026-12-31",
            }
        )
        == "2026-01-01...2026-12-31"
    )
    assert partition_from_tags({}) is None
    assert run_url("http://127.0.0.1:3000/", "r1") == "http://127.0.0.1:3000/runs/r1"
    assert run_url(None, "r1") is None


def test_run_failure_alert_names_job_partition_step_asset_and_error() -> None:
    alert = run_failure_alert(
        job_name="daily_market_job",
        run_id="run-42",
        tags={"dagster/partition": "2026-11-16"},
        failure_message='Execution of run for "daily_market_job" failed. Steps failed: [...]',
        failed_steps=[
            FailedStep(
                "raw__funding_rates",
                "NetworkError: binance unreachable\n  File ...",
                ("raw/funding_rates",),
            )
        ],
        failed_checks=[FailedCheck("raw/prices", "positive_prices", description="2 rows <= 0")],
        ui_base_url="http://127.0.0.1:3000",
    )
    assert alert.kind == "run_failure"
    assert alert.title == "Run failed: daily_market_job [2026-11-16]"
    assert alert.asset_key == "raw/funding_rates"
    assert alert.error == "NetworkError: binance unreachable"
    assert alert.url == "http://127.0.0.1:3000/runs/run-42"
    lines = alert.lines()
    assert "Partition: 2026-11-16" in lines and "Run: run-42" in lines
    assert "Failed step: raw__funding_rates: NetworkError: binance unreachable" in lines
    assert "Failed check: raw/prices:positive_prices (ERROR): 2 rows <= 0" in lines


def test_run_failure_without_steps_uses_the_run_message() -> None:
    alert = run_failure_alert(
        job_name="weekly_report_job", run_id="r", failure_message="Run timed out\ndetails"
    )
    assert alert.error == "Run timed out" and alert.partition is None
    assert alert.title == "Run failed: weekly_report_job"


def test_many_steps_are_capped() -> None:
    steps = [FailedStep(f"s{i}", "e") for i in range(9)]
    alert = run_failure_alert(job_name="j", run_id="r", failed_steps=steps)
    assert sum(1 for label, _ in alert.details if label == "Failed step") == 6
    assert ("Failed step", "(+4 more)") in alert.details


def test_check_alerts() -> None:
    check = FailedCheck(
        asset_key="raw/funding_rates",
        check_name="funding_within_caps",
        partition="2026-11-16",
        severity="WARN",
        description="3 rows above the venue cap",
        metadata={"rows_over_cap": Wrapped(3), "venues": Wrapped(["okx", "bybit"])},
    )
    alert = check_failure_alert(check, job_name="daily_market_job", run_id="r1")
    assert alert.title == ("Asset check failed: raw/funding_rates:funding_within_caps [2026-11-16]")
    assert alert.severity == "WARN" and alert.error == "3 rows above the venue cap"
    assert ("Metadata", "rows_over_cap=3, venues=['okx', 'bybit']") in alert.details

    second = FailedCheck("raw/prices", "positive", severity="ERROR")
    combined = checks_failure_alert(
        [check, second], job_name="j", run_id="r1", tags={"dagster/partition": "2026-11-16"}
    )
    assert combined.title == "2 asset checks failed [2026-11-16]"
    assert combined.severity == "ERROR"
    assert combined.asset_key == "raw/funding_rates, raw/prices"


def test_metadata_summary_is_bounded() -> None:
    metadata = {f"k{i}": "v" * 200 for i in range(10)}
    text = metadata_summary(metadata, max_items=3, value_limit=10)
    assert text.count("k") == 3 and "(+7 more)" in text and len(text) < 100
