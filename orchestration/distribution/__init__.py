"""Distributing the weekly PDF and pipeline alerts (plain Python, no Dagster).

Public API (the Dagster resource is ``orchestration.resources.distribution``):

* channels, each optional and with one job: :class:`FileDrop` (archive directory + index),
  :class:`EmailChannel` (SMTP + STARTTLS, PDF attached), :class:`WebhookChannel`
  (Slack-compatible JSON, never the PDF bytes);
* :func:`deliver` - a report through every channel with bounded retries, returning a
  :class:`DeliveryReport` of per-channel :class:`ChannelOutcome`;
* :class:`Alert` and :func:`notify` - pipeline alerts through e-mail and webhook;
* :mod:`~orchestration.distribution.sensors_support` - alert texts for failed runs and
  failed asset checks;
* :class:`PermanentDeliveryError` / :class:`DeliveryError` - how a channel says "do not
  retry" / "retry may help"; :func:`mask_url` and :class:`Redactor` keep secrets out of text.

See ``docs/distribution.md``.
"""

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
    stable_name,
    week_from_path,
)
from orchestration.distribution._redact import Redactor, mask_url
from orchestration.distribution.deliver import deliver, delivery_budget, notify
from orchestration.distribution.filedrop import FileDrop, IndexEntry
from orchestration.distribution.smtp import EmailChannel
from orchestration.distribution.webhook import WebhookChannel

__all__ = [
    "Alert",
    "AlertChannel",
    "ChannelOutcome",
    "DeliveryError",
    "DeliveryReport",
    "EmailChannel",
    "FileDrop",
    "IndexEntry",
    "PermanentDeliveryError",
    "Redactor",
    "Report",
    "ReportChannel",
    "Summary",
    "WebhookChannel",
    "deliver",
    "delivery_budget",
    "mask_url",
    "notify",
    "stable_name",
    "week_from_path",
]
