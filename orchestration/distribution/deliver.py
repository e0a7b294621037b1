"""Delivering a report (or an alert) through every configured channel.

The rules, and why:

* **Channels are independent.** Each is tried on its own with bounded retries; a webhook that
  is down does not stop the e-mail, and the outcome of every channel is reported.
* **Bounded retries with exponential backoff** (``backoff * 2**n`` seconds, capped at 60 s, or
  longer when a webhook's ``Retry-After`` asks, up to 5 minutes): enough to ride out a relay
  restart or a 502, never a loop. One attempt budget per channel and message
  (``1 + retries`` sends), on the project's one retry policy
  (``orchestration/lib/retry_policy.py``, on ``stamina``). Errors a channel marks as permanent
  (bad credentials, 4xx, refused insecure login) are not retried at all.
* **The PDF is never lost**: channels only read it; nothing here moves or deletes it, so a
  failed delivery can always be repeated from the same file.
* **No secrets in outcomes**: channels mask their own error text; :func:`deliver` passes any
  other exception text through the channel's ``redact`` when it has one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from orchestration.distribution._model import (
    Alert,
    AlertChannel,
    ChannelOutcome,
    DeliveryError,
    DeliveryReport,
    PermanentDeliveryError,
    Report,
    ReportChannel,
    Summary,
    check_week,
    week_from_path,
)
from orchestration.distribution.filedrop import FileDrop
from orchestration.lib.retry_policy import (
    AttemptBudget,
    RetryAfterTooLong,
    RetryEvent,
    call_with_retry,
)

log = logging.getLogger(__name__)

DEFAULT_RETRIES = 2
DEFAULT_BACKOFF_S = 2.0
MAX_BACKOFF_S = 60.0
MAX_RETRY_AFTER_S = 300.0
_ERROR_LIMIT = 500

OnRetry = Callable[[RetryEvent], None]


def delivery_budget(retries: int, backoff: float) -> AttemptBudget:
    """One channel's budget for one message: ``1 + retries`` sends, waits ``backoff``,
    ``2*backoff``, ``4*backoff``, ... capped at 60 s, no jitter (one sender, no herd)."""
    return AttemptBudget(
        attempts=max(0, retries) + 1,
        wait_initial_s=backoff,
        wait_max_s=MAX_BACKOFF_S,
        jitter=0.0,
        max_retry_after_s=MAX_RETRY_AFTER_S,
    )


def _classify(error: Exception) -> bool | float:
    """Permanent failures end the channel's attempts; others are retried, after the
    server's ``Retry-After`` when it sent one."""
    if isinstance(error, PermanentDeliveryError):
        return False
    asked = error.retry_after_s if isinstance(error, DeliveryError) else None
    return True if asked is None else asked


def _error_text(channel: object, exc: Exception) -> str:
    text = f"{type(exc).__name__}: {str(exc).strip() or '(no message)'}"
    redact = getattr(channel, "redact", None)
    if callable(redact):
        text = redact(text)
    return text if len(text) <= _ERROR_LIMIT else text[: _ERROR_LIMIT - 1] + "…"


def _attempt(
    channel: ReportChannel | AlertChannel,
    send: Callable[[], str],
    retries: int,
    backoff: float,
    on_retry: OnRetry | None,
) -> ChannelOutcome:
    """Send through one channel within its budget; any failure is an outcome, never a crash."""
    attempts = 0

    def once() -> str:
        nonlocal attempts
        attempts += 1
        return send()

    def planned(event: RetryEvent) -> None:
        log.info(
            "%s: attempt %d failed (%s); retrying in %.1f s",
            channel.name,
            event.attempt,
            _error_text(channel, event.error),
            event.wait_s,
        )
        if on_retry is not None:
            on_retry(event)

    try:
        detail = call_with_retry(
            once,
            budget=delivery_budget(retries, backoff),
            classify=_classify,
            name=channel.name,
            on_retry=planned,
        )
    except Exception as exc:  # any channel failure is an outcome, never a crash
        cause = exc.__cause__ if isinstance(exc, RetryAfterTooLong) else None
        error = _error_text(channel, cause if isinstance(cause, Exception) else exc)
        if isinstance(exc, RetryAfterTooLong):
            error += f" (Retry-After {exc.asked_s:.0f} s is over the {exc.allowed_s:.0f} s allowed)"
        log.warning("%s: attempt %d failed, giving up: %s", channel.name, attempts, error)
        return ChannelOutcome(channel.name, ok=False, attempts=attempts, error=error)
    return ChannelOutcome(channel.name, ok=True, attempts=attempts, detail=detail)


def deliver(
    pdf_path: Path | str,
    summary: Summary,
    channels: Sequence[ReportChannel],
    retries: int = DEFAULT_RETRIES,
    backoff: float = DEFAULT_BACKOFF_S,
    *,
    week: str | None = None,
    pages: int | None = None,
    link: str | None = None,
    on_retry: OnRetry | None = None,
) -> DeliveryReport:
    """Deliver one weekly PDF through every channel; never raises for a channel failure.

    Args:
        pdf_path: the rendered report; it is read, never moved or deleted.
        summary: label -> value lines for the message bodies (index/regime per asset).
        channels: the configured channels, tried in order; file drops go first so later
            channels can point at the archived copy.
        retries: retries per channel after the first attempt (0 = try once).
        backoff: wait before the first retry, doubled each time (capped at 60 s).
        week: ISO week; by default read from the stable file name ``fragility-YYYY-Www.pdf``.
        pages: page count, recorded in the archive index.
        link: a URL where readers can fetch the report, shown in messages.
        on_retry: told about every planned retry (tests read the waits from it).

    Raises:
        FileNotFoundError: the PDF does not exist (nothing to deliver: a caller bug).
    """
    path = Path(pdf_path)
    if not path.is_file():
        raise FileNotFoundError(f"report PDF not found: {path}")
    report = Report(
        path=path,
        week=check_week(week) if week else week_from_path(path),
        summary=dict(summary),
        pages=pages,
        link=link,
    )
    ordered = sorted(channels, key=lambda c: 0 if isinstance(c, FileDrop) else 1)
    outcomes: list[ChannelOutcome] = []
    for channel in ordered:

        def send(channel: ReportChannel = channel, current: Report = report) -> str:
            return channel.send_report(current)

        outcome = _attempt(channel, send, retries, backoff, on_retry)
        if outcome.ok and isinstance(channel, FileDrop) and report.archived_path is None:
            report = replace(report, archived_path=Path(str(outcome.detail)))
        outcomes.append(outcome)
    result = DeliveryReport(subject=report.week, pdf_path=path, outcomes=tuple(outcomes))
    log.info("%s", result.describe())
    return result


def notify(
    alert: Alert,
    channels: Sequence[object],
    retries: int = 1,
    backoff: float = 1.0,
    *,
    on_retry: OnRetry | None = None,
) -> DeliveryReport:
    """Send a pipeline alert through every channel that takes alerts (e-mail, webhook).

    Channels without ``send_alert`` (the file drop) are skipped; fewer retries than for
    reports by default, because a sensor tick should not stall on a dead relay."""
    outcomes: list[ChannelOutcome] = []
    for channel in channels:
        if not isinstance(channel, AlertChannel):
            continue

        def send(channel: AlertChannel = channel) -> str:
            return channel.send_alert(alert)

        outcomes.append(_attempt(channel, send, retries, backoff, on_retry))
    result = DeliveryReport(subject=alert.title, pdf_path=None, outcomes=tuple(outcomes))
    log.info("%s", result.describe())
    return result
