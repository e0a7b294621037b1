"""The alert sensors against real failing in-process runs on an ephemeral instance, delivering
to a loopback webhook and a loopback SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
from pytest_httpserver import HTTPServer

from orchestration.defs.alerts import (
    DISTRIBUTION_RESOURCE_KEY,
    failed_check_alert_sensor,
    run_failure_alert_sensor,
)
from orchestration.resources.distribution import (
    ENV_VARS,
    DistributionResource,
    distribution_from_env,
)
from tests.support.smtp import LoopbackSmtp
from tests.support.webhook import posts, script_webhook

PARTITION = "2026-11-16"
TOKEN = "T000/B000/alert-hook-SECRET"
daily = dg.DailyPartitionsDefinition(start_date="2026-11-01", timezone="UTC")


@dg.asset(key=["raw", "funding_rates"], partitions_def=daily)
def funding_rates() -> None:
    raise ValueError("binance unreachable: NetworkError\nTraceback (most recent call last): ...")


@dg.asset(
    key=["raw", "prices"],
    partitions_def=daily,
    check_specs=[dg.AssetCheckSpec("positive_prices", asset=["raw", "prices"])],
)
def prices() -> Iterator[dg.Output | dg.AssetCheckResult]:
    yield dg.Output(None)
    yield dg.AssetCheckResult(
        check_name="positive_prices",
        passed=False,
        severity=dg.AssetCheckSeverity.WARN,
        description="2 rows with a price <= 0",
        metadata={"bad_rows": 2, "venues": "okx"},
    )


failing_job = dg.define_asset_job("daily_market_job", selection=[funding_rates])
warning_job = dg.define_asset_job("prices_job", selection=[prices])


def run(job_name: str, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    defs = dg.Definitions(assets=[funding_rates, prices], jobs=[failing_job, warning_job])
    return defs.resolve_job_def(job_name).execute_in_process(
        instance=instance, partition_key=PARTITION, raise_on_error=False
    )


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.DagsterInstance.ephemeral() as ephemeral:
        yield ephemeral


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for variable, _ in ENV_VARS.values():
        monkeypatch.delenv(variable, raising=False)
    return monkeypatch


def failure_context(
    result: dg.ExecuteInProcessResult, instance: dg.DagsterInstance, resource: object
) -> dg.RunFailureSensorContext:
    return dg.build_run_status_sensor_context(
        sensor_name=run_failure_alert_sensor.name,
        dagster_event=result.get_run_failure_event(),
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        resources={DISTRIBUTION_RESOURCE_KEY: resource},
    ).for_run_failure()


def success_context(
    result: dg.ExecuteInProcessResult, instance: dg.DagsterInstance, resource: object
) -> dg.RunStatusSensorContext:
    return dg.build_run_status_sensor_context(
        sensor_name=failed_check_alert_sensor.name,
        dagster_event=result.get_run_success_event(),
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        resources={DISTRIBUTION_RESOURCE_KEY: resource},
    )


def test_run_failure_reaches_webhook_and_email(
    instance: dg.DagsterInstance,
    clean_env: pytest.MonkeyPatch,
    tmp_path: Path,
    httpserver: HTTPServer,
) -> None:
    result = run("daily_market_job", instance)
    assert not result.success

    with LoopbackSmtp() as smtp:
        ca = tmp_path / "ca.pem"
        ca.write_bytes(smtp.ca_pem())
        env = {
            "PERP_FRAGILITY_WEBHOOK_URL": script_webhook(httpserver, f"/services/{TOKEN}"),
            "PERP_FRAGILITY_SMTP_HOST": "127.0.0.1",
            "PERP_FRAGILITY_SMTP_PORT": str(smtp.port),
            "PERP_FRAGILITY_SMTP_USER": smtp.username,
            "PERP_FRAGILITY_SMTP_PASSWORD": smtp.password,
            "PERP_FRAGILITY_SMTP_FROM": "alerts@desk.example",
            "PERP_FRAGILITY_SMTP_TO": "oncall@desk.example",
            "PERP_FRAGILITY_SMTP_CA_FILE": str(ca),
            "PERP_FRAGILITY_ARCHIVE_DIR": str(tmp_path / "archive"),
            "PERP_FRAGILITY_DAGSTER_UI_URL": "http://127.0.0.1:3000",
        }
        for key, value in env.items():
            clean_env.setenv(key, value)
        resource = distribution_from_env(alert_retries=0)
        run_failure_alert_sensor(failure_context(result, instance, resource))

    (request,) = posts(httpserver)
    payload = request.get_json()
    body = payload["blocks"][1]["text"]["text"]
    assert payload["text"].startswith(f"Run failed: daily_market_job [{PARTITION}]")
    assert "Asset: raw/funding_rates" in body
    assert f"Partition: {PARTITION}" in body
    assert "Error: ValueError: binance unreachable: NetworkError" in body
    assert "Traceback" not in body, "only the first line of the error"
    assert f"Run: {result.run_id}" in body
    link = payload["blocks"][2]["elements"][0]["text"]
    assert link == f"<http://127.0.0.1:3000/runs/{result.run_id}|Open the run in Dagster>"

    (mail,) = smtp.received
    assert mail.rcpt_tos == ["oncall@desk.example"]
    assert mail.message["Subject"] == f"[perp-fragility] Run failed: daily_market_job [{PARTITION}]"
    text = mail.message.get_body(("plain",)).get_content()
    assert "raw/funding_rates" in text and result.run_id in text
    assert not (tmp_path / "archive").exists(), "the file drop takes no alerts"


def test_failed_check_in_a_successful_run_is_alerted(
    instance: dg.DagsterInstance,
    clean_env: pytest.MonkeyPatch,
    httpserver: HTTPServer,
) -> None:
    result = run("prices_job", instance)
    assert result.success

    resource = DistributionResource(webhook_url=script_webhook(httpserver), alert_retries=0)
    failed_check_alert_sensor(success_context(result, instance, resource))

    (request,) = posts(httpserver)
    payload = request.get_json()
    assert payload["text"].startswith(
        f"Asset check failed: raw/prices:positive_prices [{PARTITION}]"
    )
    body = payload["blocks"][1]["text"]["text"]
    assert "Severity: WARN" in body and "Job: prices_job" in body
    assert "2 rows with a price &lt;= 0" in body
    assert "Metadata: bad_rows=2, venues=okx" in body


def test_sensors_skip_without_channels_or_failures(
    instance: dg.DagsterInstance,
    clean_env: pytest.MonkeyPatch,
    httpserver: HTTPServer,
) -> None:
    failed = run("daily_market_job", instance)
    skip = run_failure_alert_sensor(failure_context(failed, instance, distribution_from_env()))
    assert isinstance(skip, dg.SkipReason) and "no alert channel" in (skip.skip_message or "")

    @dg.asset(partitions_def=daily)
    def fine() -> None:
        return None

    success = dg.materialize([fine], instance=instance, partition_key=PARTITION)
    resource = DistributionResource(webhook_url=script_webhook(httpserver), alert_retries=0)
    skip = failed_check_alert_sensor(success_context(success, instance, resource))
    assert isinstance(skip, dg.SkipReason) and posts(httpserver) == []


def test_sensors_load_with_the_resource_bound(clean_env: pytest.MonkeyPatch) -> None:
    defs = dg.Definitions(
        sensors=[run_failure_alert_sensor, failed_check_alert_sensor],
        resources={DISTRIBUTION_RESOURCE_KEY: distribution_from_env()},
    )
    dg.Definitions.validate_loadable(defs)
    sensor = defs.resolve_sensor_def("run_failure_alert_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING


@dg.asset(
    key=["marts", "fct_fragility_weekly"],
    partitions_def=daily,
    check_specs=[
        dg.AssetCheckSpec("index_in_range", asset=["marts", "fct_fragility_weekly"], blocking=True)
    ],
)
def fragility() -> Iterator[dg.Output | dg.AssetCheckResult]:
    yield dg.Output(None)
    yield dg.AssetCheckResult(
        check_name="index_in_range", passed=False, description="index 1.7 outside [0, 1]"
    )


def test_failed_blocking_check_is_part_of_the_run_failure_alert(
    instance: dg.DagsterInstance,
    clean_env: pytest.MonkeyPatch,
    httpserver: HTTPServer,
) -> None:
    result = dg.materialize(
        [fragility], instance=instance, partition_key=PARTITION, raise_on_error=False
    )
    assert not result.success
    resource = DistributionResource(webhook_url=script_webhook(httpserver), alert_retries=0)
    run_failure_alert_sensor(failure_context(result, instance, resource))
    body = posts(httpserver)[0].get_json()["blocks"][1]["text"]["text"]
    assert (
        "Failed check: marts/fct_fragility_weekly:index_in_range (ERROR): "
        "index 1.7 outside [0, 1]" in body
    )
    assert "Asset: marts/fct_fragility_weekly" in body
