"""Alert sensors: a failed run or a failed asset check notifies the report's channels.

- ``run_failure_alert_sensor`` (``@run_failure_sensor``): every failed run of this code
  location -> one alert with the job, partition (or backfill range), failed steps and their
  assets, the first line of the error, the failed checks of that run, and a UI link.
- ``failed_check_alert_sensor`` (``@run_status_sensor`` on SUCCESS): a run that succeeded but
  recorded failed asset checks (warnings, or non-blocking errors) -> one alert listing them.
  Failed checks of a *failed* run are already in that run's failure alert, so every failed
  check is reported exactly once; the run-status cursor Dagster keeps for these sensors means
  each run is looked at once, on every storage (SQLite or PostgreSQL).

Both send through the ``distribution`` resource (e-mail and webhook; the file drop ignores
alerts) and skip quietly when no alert channel is configured. A failed notification is logged
on the sensor tick (masked) and not retried on the next tick, so other channels never get
duplicates. Both start RUNNING: an alert that is off by default is an alert nobody gets.
The texts are built by ``orchestration.distribution.sensors_support``.
"""

from __future__ import annotations

import dagster as dg

from orchestration.distribution import Alert
from orchestration.distribution.sensors_support import (
    FailedCheck,
    FailedStep,
    checks_failure_alert,
    partition_from_tags,
    run_failure_alert,
)
from orchestration.resources import keys
from orchestration.resources.distribution import DistributionResource

DISTRIBUTION_RESOURCE_KEY = keys.DISTRIBUTION
_ALERT_CHANNELS = ("email", "webhook")


def _root_message(error: object) -> str:
    """The innermost cause's message: Dagster wraps user errors in
    ``DagsterExecutionStepExecutionError: Error occurred while executing op ...``."""
    message = ""
    while error is not None:
        message = getattr(error, "message", "") or message
        error = getattr(error, "cause", None)
    return message


def _assets_by_step(instance: dg.DagsterInstance, run_id: str) -> dict[str, list[str]]:
    records = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED
    ).records
    by_step: dict[str, list[str]] = {}
    for record in records:
        event = record.event_log_entry.dagster_event
        if event is not None and event.step_key and event.asset_key is not None:
            by_step.setdefault(event.step_key, []).append(event.asset_key.to_user_string())
    return by_step


def failed_checks_of_run(instance: dg.DagsterInstance, run: dg.DagsterRun) -> list[FailedCheck]:
    """The run's asset-check evaluations that did not pass, in the order they happened."""
    records = instance.get_records_for_run(
        run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    partition = partition_from_tags(run.tags)
    checks = []
    for record in records:
        event = record.event_log_entry.dagster_event
        evaluation = event.event_specific_data if event is not None else None
        if not isinstance(evaluation, dg.AssetCheckEvaluation) or evaluation.passed:
            continue
        checks.append(
            FailedCheck(
                asset_key=evaluation.asset_key.to_user_string(),
                check_name=evaluation.check_name,
                partition=evaluation.partition or partition,
                severity=evaluation.severity.value,
                description=evaluation.description,
                metadata=dict(evaluation.metadata),
                blocking=bool(evaluation.blocking),
            )
        )
    return checks


def alert_for_failed_run(context: dg.RunFailureSensorContext, ui_base_url: str | None) -> Alert:
    """Pull the plain values out of the failure context and build the alert text."""
    run = context.dagster_run
    by_step = _assets_by_step(context.instance, run.run_id)
    steps = [
        FailedStep(
            step_key=event.step_key or "?",
            error=_root_message(getattr(event.event_specific_data, "error", None)),
            asset_keys=tuple(by_step.get(event.step_key or "", ())),
        )
        for event in context.get_step_failure_events()
    ]
    failure_data = context.failure_event.event_specific_data
    run_error = _root_message(getattr(failure_data, "error", None))
    return run_failure_alert(
        job_name=run.job_name,
        run_id=run.run_id,
        tags=run.tags,
        failure_message=run_error or context.failure_event.message,
        failed_steps=steps,
        failed_checks=failed_checks_of_run(context.instance, run),
        ui_base_url=ui_base_url,
    )


def _alert_channels(distribution: DistributionResource) -> list[str]:
    return [name for name in distribution.enabled_channels() if name in _ALERT_CHANNELS]


def _send(
    context: dg.RunStatusSensorContext, distribution: DistributionResource, alert: Alert
) -> None:
    report = distribution.send_alert(alert)
    if report.ok:
        context.log.info(report.describe())
    else:
        context.log.error(f"alert not delivered everywhere:\n{report.describe()}")


@dg.run_failure_sensor(
    name="run_failure_alert_sensor",
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Notify the report's e-mail/webhook channels when a run fails.",
)
def run_failure_alert_sensor(
    context: dg.RunFailureSensorContext, distribution: DistributionResource
) -> dg.SkipReason | None:
    if not _alert_channels(distribution):
        return dg.SkipReason("no alert channel configured (e-mail or webhook)")
    _send(context, distribution, alert_for_failed_run(context, distribution.dagster_ui_url))
    return None


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    name="failed_check_alert_sensor",
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Notify the report's e-mail/webhook channels of failed asset checks.",
)
def failed_check_alert_sensor(
    context: dg.RunStatusSensorContext, distribution: DistributionResource
) -> dg.SkipReason | None:
    run = context.dagster_run
    checks = failed_checks_of_run(context.instance, run)
    if not checks:
        return dg.SkipReason(f"run {run.run_id} has no failed asset check")
    if not _alert_channels(distribution):
        return dg.SkipReason("no alert channel configured (e-mail or webhook)")
    alert = checks_failure_alert(
        checks,
        job_name=run.job_name,
        run_id=run.run_id,
        tags=run.tags,
        ui_base_url=distribution.dagster_ui_url,
    )
    _send(context, distribution, alert)
    return None
