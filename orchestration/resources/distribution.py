"""Report and alert distribution as a Dagster resource.

A thin :class:`~dagster.ConfigurableResource` over ``orchestration.distribution``: fields
say which channels exist, methods build them and call :func:`deliver` / :func:`notify`.

Secrets come only through :class:`dagster.EnvVar` (resolved when a run or sensor starts, never
shown in the UI). Dagster fails to initialise a resource whose ``EnvVar`` is unset, so
:func:`distribution_from_env` passes an ``EnvVar`` only for the variables that are set at load
time; the others keep their ``None`` default and that channel is simply off:

* file drop  - on when ``PERP_FRAGILITY_ARCHIVE_DIR`` is set;
* e-mail     - on when ``PERP_FRAGILITY_SMTP_HOST``, ``_SMTP_FROM`` and ``_SMTP_TO`` are set;
* webhook    - on when ``PERP_FRAGILITY_WEBHOOK_URL`` is set.

Every variable is listed with its meaning in :data:`ENV_VARS` and ``docs/distribution.md``.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from pathlib import Path

import dagster as dg
from pydantic import Field

from orchestration.distribution import (
    Alert,
    DeliveryReport,
    EmailChannel,
    FileDrop,
    PermanentDeliveryError,
    ReportChannel,
    Summary,
    WebhookChannel,
    deliver,
    notify,
    stable_name,
    week_from_path,
)
from orchestration.distribution.sensors_support import run_url
from orchestration.lib.retry_policy import RetryEvent

ENV_VARS: dict[str, tuple[str, str]] = {
    # field: (variable, meaning)
    "smtp_host": ("PERP_FRAGILITY_SMTP_HOST", "SMTP relay host name; enables e-mail"),
    "smtp_port": ("PERP_FRAGILITY_SMTP_PORT", "SMTP port (default 587, the submission port)"),
    "smtp_user": ("PERP_FRAGILITY_SMTP_USER", "SMTP login (leave unset for no AUTH)"),
    "smtp_password": ("PERP_FRAGILITY_SMTP_PASSWORD", "SMTP password (secret)"),
    "smtp_from": ("PERP_FRAGILITY_SMTP_FROM", "sender address, e.g. reports@example.com"),
    "smtp_to": ("PERP_FRAGILITY_SMTP_TO", "recipients, comma separated"),
    "smtp_starttls": ("PERP_FRAGILITY_SMTP_STARTTLS", "true (default) or false"),
    "smtp_ca_file": ("PERP_FRAGILITY_SMTP_CA_FILE", "PEM CA bundle for a private relay"),
    "webhook_url": ("PERP_FRAGILITY_WEBHOOK_URL", "Slack-compatible webhook URL (secret)"),
    "archive_dir": ("PERP_FRAGILITY_ARCHIVE_DIR", "archive directory; enables the file drop"),
    "report_base_url": (
        "PERP_FRAGILITY_REPORT_BASE_URL",
        "URL where the archive is served; messages link <base>/fragility-YYYY-Www.pdf",
    ),
    "dagster_ui_url": (
        "PERP_FRAGILITY_DAGSTER_UI_URL",
        "Dagster UI address (http://127.0.0.1:3000) for run links in alerts",
    ),
}
_INT_FIELDS = frozenset({"smtp_port"})
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


class _Misconfigured:
    """Stands in for a channel whose settings are incomplete, so the problem is reported as
    that channel's failure (the other channels still deliver) instead of crashing the run."""

    def __init__(self, name: str, problem: str):
        self.name = name
        self.problem = problem

    def send_report(self, report: object) -> str:
        raise PermanentDeliveryError(f"configuration: {self.problem}")

    def send_alert(self, alert: object) -> str:
        raise PermanentDeliveryError(f"configuration: {self.problem}")


class DistributionResource(dg.ConfigurableResource):
    """Where the weekly PDF and pipeline alerts go: file drop, e-mail, webhook (each optional).

    Build it with :func:`distribution_from_env`; all channels off is a valid configuration
    (delivery then reports "no distribution channel configured")."""

    smtp_host: str | None = Field(default=None, description="SMTP relay host; enables e-mail.")
    smtp_port: int | None = Field(default=None, description="SMTP port (default 587).")
    smtp_user: str | None = Field(default=None, description="SMTP login; unset = no AUTH.")
    smtp_password: str | None = Field(default=None, description="SMTP password (EnvVar).")
    smtp_from: str | None = Field(default=None, description="Sender address.")
    smtp_to: str | None = Field(default=None, description="Recipients, comma separated.")
    smtp_starttls: str | None = Field(default=None, description="'true' (default) or 'false'.")
    smtp_ca_file: str | None = Field(default=None, description="CA bundle for the relay's cert.")
    smtp_allow_insecure_auth: bool = Field(
        default=False, description="Allow AUTH without TLS (trusted local relay only)."
    )
    smtp_timeout_s: float = Field(default=30.0, description="SMTP socket timeout.")
    webhook_url: str | None = Field(default=None, description="Webhook URL (EnvVar, secret).")
    webhook_timeout_s: float = Field(default=10.0, description="Webhook request timeout.")
    archive_dir: str | None = Field(default=None, description="Archive directory (file drop).")
    report_base_url: str | None = Field(default=None, description="Where the archive is served.")
    dagster_ui_url: str | None = Field(default=None, description="Dagster UI, for run links.")
    retries: int = Field(default=2, description="Retries per channel for a report.")
    backoff_s: float = Field(default=2.0, description="First retry wait; doubles each retry.")
    alert_retries: int = Field(default=1, description="Retries per channel for an alert.")

    # -- channels -------------------------------------------------------------------------

    def _starttls(self) -> bool:
        value = (self.smtp_starttls or "true").strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise ValueError(f"PERP_FRAGILITY_SMTP_STARTTLS must be true or false, got {value!r}")

    def _email(self) -> EmailChannel:
        if not self.smtp_from or not self.smtp_to:
            raise ValueError("e-mail needs PERP_FRAGILITY_SMTP_FROM and PERP_FRAGILITY_SMTP_TO")
        context = None
        if self.smtp_ca_file:
            context = ssl.create_default_context(cafile=self.smtp_ca_file)
        return EmailChannel(
            host=str(self.smtp_host),
            port=self.smtp_port or 587,
            username=self.smtp_user,
            password=self.smtp_password,
            sender=self.smtp_from,
            recipients=[r for r in self.smtp_to.split(",") if r.strip()],
            starttls=self._starttls(),
            ssl_context=context,
            timeout=self.smtp_timeout_s,
            allow_insecure_auth=self.smtp_allow_insecure_auth,
        )

    def channels(self) -> list[ReportChannel]:
        """The enabled channels (file drop, e-mail, webhook, in that order).

        A channel whose settings are incomplete is kept as a failing stand-in: the
        delivery report then says what is missing, without a secret in the text."""
        channels: list[ReportChannel] = []
        if self.archive_dir:
            channels.append(FileDrop(self.archive_dir))
        if self.smtp_host:
            try:
                channels.append(self._email())
            except (ValueError, OSError) as exc:
                channels.append(_Misconfigured("email", str(exc)))
        if self.webhook_url:
            try:
                channels.append(WebhookChannel(self.webhook_url, timeout=self.webhook_timeout_s))
            except ValueError as exc:
                channels.append(_Misconfigured("webhook", str(exc)))
        return channels

    def enabled_channels(self) -> tuple[str, ...]:
        """Names of the enabled channels, e.g. ``("file_drop", "webhook")``."""
        return tuple(channel.name for channel in self.channels())

    # -- delivery -------------------------------------------------------------------------

    def report_link(self, week: str) -> str | None:
        if not self.report_base_url:
            return None
        return f"{self.report_base_url.rstrip('/')}/{stable_name(week)}"

    def run_url(self, run_id: str | None) -> str | None:
        """The run's page in the Dagster UI, when ``PERP_FRAGILITY_DAGSTER_UI_URL`` is set."""
        return run_url(self.dagster_ui_url, run_id)

    def deliver_report(
        self,
        pdf_path: Path | str,
        summary: Summary,
        *,
        week: str | None = None,
        pages: int | None = None,
    ) -> DeliveryReport:
        """Deliver the weekly PDF through every enabled channel (never moves or deletes it).

        Returns the per-channel outcomes; it does not raise for a failed channel, so the
        caller decides whether a failed delivery fails the run."""
        path = Path(pdf_path)
        week = week or week_from_path(path)
        return _logged(
            deliver(
                path,
                summary,
                self.channels(),
                retries=self.retries,
                backoff=self.backoff_s,
                week=week,
                pages=pages,
                link=self.report_link(week),
                on_retry=_log_retry,
            )
        )

    def send_alert(self, alert: Alert) -> DeliveryReport:
        """Send a pipeline alert through e-mail and webhook (the file drop ignores alerts)."""
        return _logged(
            notify(
                alert,
                self.channels(),
                retries=self.alert_retries,
                backoff=self.backoff_s,
                on_retry=_log_retry,
            )
        )


def _log_retry(event: RetryEvent) -> None:
    """A channel's planned retry, in the run's (or sensor tick's) log where users look."""
    dg.get_dagster_logger().warning(
        f"{event.name}: attempt {event.attempt} failed; retrying in {event.wait_s:.1f} s"
    )


def _logged(report: DeliveryReport) -> DeliveryReport:
    """Every channel that gave up, as a warning in the Dagster log (the error is masked)."""
    log = dg.get_dagster_logger()
    for outcome in report.failed:
        log.warning(f"{report.subject} {outcome.describe()}")
    return report


def distribution_from_env(
    environ: Mapping[str, str] | None = None, **overrides: object
) -> DistributionResource:
    """The resource with an ``EnvVar`` for every variable of :data:`ENV_VARS` that is set.

    Unset (or empty) variables are left out, so loading the code location never fails on a
    missing optional channel; the values themselves are resolved by Dagster when a run or
    sensor starts (``environ`` is only consulted for *which* variables are set).
    ``overrides`` sets non-secret fields such as ``retries`` or ``backoff_s``."""
    env = os.environ if environ is None else environ
    kwargs: dict[str, object] = dict(overrides)
    for field_name, (variable, _meaning) in ENV_VARS.items():
        if not env.get(variable, "").strip():
            continue
        kwargs[field_name] = (
            dg.EnvVar.int(variable) if field_name in _INT_FIELDS else dg.EnvVar(variable)
        )
    return DistributionResource(**kwargs)
