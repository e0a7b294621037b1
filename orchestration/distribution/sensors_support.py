"""Alert texts for failed runs and failed asset checks, from plain values.

The Dagster sensors (``orchestration/defs/alerts.py``) only pull values out of Dagster's
objects and call these builders; keeping the wording here means it is tested without a
Dagster instance and reads the same in e-mail and chat.

What an alert says, and why: the job, the partition (a backfill's range when there is one),
the failing step/asset, the *first line* of the error (the full trace is one click away in
the UI, and long traces drown a chat channel), and the run id with a UI link when the UI
address is known.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from orchestration.distribution._model import Alert

PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
BACKFILL_TAG = "dagster/backfill"

MAX_LISTED = 5
ERROR_LIMIT = 300


@dataclass(frozen=True, slots=True)
class FailedStep:
    """A failed step of a run.

    Attributes:
        step_key: Dagster's step key (usually the asset's op name).
        error: the error message (first line is used).
        asset_keys: the assets that step was materialising, ``a/b`` form.
    """

    step_key: str
    error: str
    asset_keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FailedCheck:
    """A failed asset-check evaluation.

    Attributes:
        asset_key: the checked asset, ``a/b`` form.
        check_name: the check's name.
        partition: the evaluated partition, if any.
        severity: ``ERROR`` or ``WARN``.
        description: the check's result description, if any.
        metadata: the check's result metadata (plain values or objects with ``.value``).
        blocking: whether the check blocks downstream assets.
    """

    asset_key: str
    check_name: str
    partition: str | None = None
    severity: str = "ERROR"
    description: str | None = None
    metadata: Mapping[str, object] = field(default_factory=dict)
    blocking: bool = False


def first_line(text: str | None, limit: int = ERROR_LIMIT) -> str:
    """The first non-empty line of ``text``, trimmed to ``limit`` characters."""
    for line in (text or "").splitlines():
        line = line.strip()
        if line:
            return line if len(line) <= limit else line[: limit - 1] + "…"
    return ""


def partition_from_tags(tags: Mapping[str, str]) -> str | None:
    """The run's partition: ``2026-11-16``, or ``2026-01-01...2026-12-31`` for a
    single-run backfill of a range."""
    if PARTITION_TAG in tags:
        return tags[PARTITION_TAG]
    start, end = tags.get(RANGE_START_TAG), tags.get(RANGE_END_TAG)
    if start and end:
        return start if start == end else f"{start}...{end}"
    return None


def run_url(ui_base_url: str | None, run_id: str | None) -> str | None:
    """``http://127.0.0.1:3000`` + run id -> the run's page in the Dagster UI."""
    if not ui_base_url or not run_id:
        return None
    return f"{ui_base_url.rstrip('/')}/runs/{run_id}"


def _plain(value: object) -> object:
    # Dagster's MetadataValue wraps the raw value in ``.value``; plain values pass through
    return getattr(value, "value", value)


def metadata_summary(
    metadata: Mapping[str, object], max_items: int = 6, value_limit: int = 80
) -> str:
    """``rows=12, missing_venues=['okx']`` (first ``max_items`` keys, values clipped)."""
    parts = []
    for key in list(metadata)[:max_items]:
        value = str(_plain(metadata[key]))
        if len(value) > value_limit:
            value = value[: value_limit - 1] + "…"
        parts.append(f"{key}={value}")
    if len(metadata) > max_items:
        parts.append(f"(+{len(metadata) - max_items} more)")
    return ", ".join(parts)


def _with_partition(title: str, partition: str | None) -> str:
    return f"{title} [{partition}]" if partition else title


def _check_line(check: FailedCheck) -> str:
    text = f"{check.asset_key}:{check.check_name} ({check.severity})"
    reason = first_line(check.description)
    return f"{text}: {reason}" if reason else text


def run_failure_alert(
    *,
    job_name: str,
    run_id: str,
    tags: Mapping[str, str] | None = None,
    failure_message: str | None = None,
    failed_steps: Sequence[FailedStep] = (),
    failed_checks: Iterable[FailedCheck] = (),
    ui_base_url: str | None = None,
) -> Alert:
    """The alert for a failed run.

    The error shown is the first failed step's (the run-level message only says "steps
    failed"); every failed step and failed check is listed, up to five of each.
    """
    partition = partition_from_tags(tags or {})
    first = failed_steps[0] if failed_steps else None
    asset_keys = [key for step in failed_steps for key in step.asset_keys]
    error = first_line(first.error) if first else first_line(failure_message)
    details: list[tuple[str, str]] = []
    for step in failed_steps[:MAX_LISTED]:
        details.append(("Failed step", f"{step.step_key}: {first_line(step.error)}"))
    if len(failed_steps) > MAX_LISTED:
        details.append(("Failed step", f"(+{len(failed_steps) - MAX_LISTED} more)"))
    checks = list(failed_checks)
    for check in checks[:MAX_LISTED]:
        details.append(("Failed check", _check_line(check)))
    if len(checks) > MAX_LISTED:
        details.append(("Failed check", f"(+{len(checks) - MAX_LISTED} more)"))
    if failure_message and first and first_line(failure_message) != error:
        details.append(("Run message", first_line(failure_message)))
    return Alert(
        kind="run_failure",
        title=_with_partition(f"Run failed: {job_name}", partition),
        job=job_name,
        asset_key=", ".join(dict.fromkeys(asset_keys)) or None,
        partition=partition,
        error=error or "run failed (no error message)",
        run_id=run_id,
        url=run_url(ui_base_url, run_id),
        severity="ERROR",
        details=tuple(details),
    )


def check_failure_alert(
    check: FailedCheck,
    *,
    job_name: str | None = None,
    run_id: str | None = None,
    ui_base_url: str | None = None,
) -> Alert:
    """The alert for one failed asset check (blocking or not)."""
    details: list[tuple[str, str]] = [("Check", check.check_name)]
    details.append(("Blocking", "yes" if check.blocking else "no"))
    if check.metadata:
        details.append(("Metadata", metadata_summary(check.metadata)))
    return Alert(
        kind="check_failure",
        title=_with_partition(
            f"Asset check failed: {check.asset_key}:{check.check_name}", check.partition
        ),
        job=job_name,
        asset_key=check.asset_key,
        partition=check.partition,
        error=first_line(check.description) or "check did not pass",
        run_id=run_id,
        url=run_url(ui_base_url, run_id),
        severity=check.severity,
        details=tuple(details),
    )


def checks_failure_alert(
    checks: Sequence[FailedCheck],
    *,
    job_name: str | None = None,
    run_id: str | None = None,
    tags: Mapping[str, str] | None = None,
    ui_base_url: str | None = None,
) -> Alert:
    """One alert for all failed checks of a run (one message per run, not per check)."""
    if len(checks) == 1:
        return check_failure_alert(
            checks[0], job_name=job_name, run_id=run_id, ui_base_url=ui_base_url
        )
    partition = partition_from_tags(tags or {}) or next(
        (c.partition for c in checks if c.partition), None
    )
    severity = "ERROR" if any(c.severity == "ERROR" for c in checks) else "WARN"
    details = [("Failed check", _check_line(c)) for c in checks[:MAX_LISTED]]
    if len(checks) > MAX_LISTED:
        details.append(("Failed check", f"(+{len(checks) - MAX_LISTED} more)"))
    assets = ", ".join(dict.fromkeys(c.asset_key for c in checks))
    return Alert(
        kind="check_failure",
        title=_with_partition(f"{len(checks)} asset checks failed", partition),
        job=job_name,
        asset_key=assets,
        partition=partition,
        error=_check_line(checks[0]),
        run_id=run_id,
        url=run_url(ui_base_url, run_id),
        severity=severity,
        details=tuple(details),
    )
