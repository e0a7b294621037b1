"""The values that travel between the pipeline and the channels.

They are frozen dataclasses so a channel cannot change what the next channel sees, and they
hold only what a reader needs (week, summary lines, paths, error text): never a secret, so a
report or an alert can be logged or stored as Dagster metadata as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

WEEK_RE = re.compile(r"^(?P<year>\d{4})-W(?P<week>\d{2})$")
STABLE_NAME_RE = re.compile(r"^fragility-(?P<week>\d{4}-W\d{2})\.pdf$")

Summary = Mapping[str, object]
"""Label -> value lines shown in every message, e.g. ``{"ETH": "fragility 0.62, elevated"}``."""


class DeliveryError(Exception):
    """A channel failed in a way that retrying may fix (network, 5xx, timeouts).

    ``retry_after_s``: what the server asked to wait (a 429's or 503's ``Retry-After``)."""

    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class PermanentDeliveryError(DeliveryError):
    """A channel failed in a way retrying cannot fix (bad credentials, refused insecure
    login, 4xx, bad configuration): :func:`deliver` stops retrying that channel at once."""


def check_week(week: str) -> str:
    """Return ``week`` if it looks like ``2026-W47``; it ends up in file names and URLs."""
    match = WEEK_RE.match(week)
    if not match or not 1 <= int(match["week"]) <= 53:
        raise ValueError(f"week must look like 2026-W47, got {week!r}")
    return week


def stable_name(week: str) -> str:
    """``2026-W47`` -> ``fragility-2026-W47.pdf``: the one name a week's report ever has."""
    return f"fragility-{check_week(week)}.pdf"


def week_from_path(path: Path) -> str:
    """The ISO week encoded in a report's file name (``fragility-2026-W47.pdf``)."""
    match = STABLE_NAME_RE.match(path.name)
    if not match:
        raise ValueError(
            f"cannot tell the week from {path.name!r}; expected fragility-YYYY-Www.pdf "
            "or pass week= explicitly"
        )
    return check_week(match["week"])


def summary_lines(summary: Summary) -> tuple[str, ...]:
    """``label: value`` lines in the summary's own order (insertion order is the author's)."""
    return tuple(f"{label}: {value}" for label, value in summary.items())


@dataclass(frozen=True, slots=True)
class Report:
    """One weekly PDF on its way out.

    Attributes:
        path: the rendered PDF; channels read it and never move or delete it.
        week: ISO week, ``2026-W47``.
        summary: label -> value lines for the message bodies.
        pages: page count when the renderer knows it (goes into the archive index).
        link: a URL where readers can fetch the report, when one exists.
        archived_path: where a file drop put its copy (set by :func:`deliver` for the
            channels after the file drop, so a webhook can point at the archive).
    """

    path: Path
    week: str
    summary: Summary = field(default_factory=dict)
    pages: int | None = None
    link: str | None = None
    archived_path: Path | None = None

    @property
    def title(self) -> str:
        return f"Perp fragility weekly report {self.week}"

    @property
    def location(self) -> str:
        """What a message points readers to: the link, else the archive, else the file."""
        return self.link or str(self.archived_path or self.path)


AlertKind = Literal["run_failure", "check_failure"]


@dataclass(frozen=True, slots=True)
class Alert:
    """A pipeline alert: a failed run or a failed asset check.

    Attributes:
        kind: ``run_failure`` or ``check_failure``.
        title: one line, used as e-mail subject and webhook header.
        job: the Dagster job name, if any.
        asset_key: the failing asset (``reports/weekly_fragility_pdf``), if known.
        partition: the partition or partition range, if any.
        error: first line of the error (or the check's description), already trimmed.
        run_id: the Dagster run id.
        url: a link to the run in the Dagster UI, when the UI address is configured.
        severity: ``ERROR`` or ``WARN``.
        details: further ``(label, value)`` lines (failed steps, check metadata).
    """

    kind: AlertKind
    title: str
    job: str | None = None
    asset_key: str | None = None
    partition: str | None = None
    error: str | None = None
    run_id: str | None = None
    url: str | None = None
    severity: str = "ERROR"
    details: tuple[tuple[str, str], ...] = ()

    def lines(self) -> tuple[str, ...]:
        """The alert as ``label: value`` lines, skipping what is unknown."""
        fields = (
            ("Severity", self.severity),
            ("Job", self.job),
            ("Asset", self.asset_key),
            ("Partition", self.partition),
            ("Error", self.error),
            ("Run", self.run_id),
            ("Link", self.url),
        )
        head = tuple(f"{label}: {value}" for label, value in fields if value)
        return head + tuple(f"{label}: {value}" for label, value in self.details)

    @property
    def dedup_key(self) -> str:
        """Stable identity of this alert (same run and asset -> same key), for Message-IDs."""
        parts = (self.kind, self.run_id or "", self.asset_key or "", self.title)
        return "|".join(parts)


@runtime_checkable
class ReportChannel(Protocol):
    """Something that can deliver a weekly report."""

    name: str

    def send_report(self, report: Report) -> str:
        """Deliver ``report``; return a short secret-free description of where it went.

        Raise :class:`PermanentDeliveryError` when retrying cannot help and any other
        exception when it might."""
        ...


@runtime_checkable
class AlertChannel(Protocol):
    """Something that can deliver a pipeline alert."""

    name: str

    def send_alert(self, alert: Alert) -> str:
        """Deliver ``alert``; same contract as :meth:`ReportChannel.send_report`."""
        ...


@dataclass(frozen=True, slots=True)
class ChannelOutcome:
    """What happened on one channel.

    Attributes:
        channel: the channel's name (``file_drop``, ``email``, ``webhook``).
        ok: delivered.
        attempts: how many tries it took (or were spent before giving up).
        detail: where it went, when it went (secret-free).
        error: the last error, masked, when it failed.
    """

    channel: str
    ok: bool
    attempts: int
    detail: str | None = None
    error: str | None = None

    def describe(self) -> str:
        if self.ok:
            return f"{self.channel}: ok after {self.attempts} attempt(s) -> {self.detail}"
        return f"{self.channel}: failed after {self.attempts} attempt(s): {self.error}"


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """Per-channel outcomes of one delivery (a report or an alert).

    Attributes:
        subject: the week (reports) or the alert title.
        pdf_path: the report's PDF (``None`` for alerts); it still exists after delivery.
        outcomes: one entry per configured channel, in the order tried.
    """

    subject: str
    pdf_path: Path | None
    outcomes: tuple[ChannelOutcome, ...]

    @property
    def ok(self) -> bool:
        """Every configured channel delivered (vacuously true with no channel)."""
        return all(outcome.ok for outcome in self.outcomes)

    @property
    def failed(self) -> tuple[ChannelOutcome, ...]:
        return tuple(outcome for outcome in self.outcomes if not outcome.ok)

    def describe(self) -> str:
        """One line per channel, for logs and run metadata."""
        if not self.outcomes:
            return f"{self.subject}: no distribution channel configured"
        return "\n".join(f"{self.subject} {outcome.describe()}" for outcome in self.outcomes)

    def as_metadata(self) -> dict[str, str]:
        """``{channel: "ok (1 attempt) -> ..."}``, suitable for ``MaterializeResult`` metadata."""
        return {outcome.channel: outcome.describe() for outcome in self.outcomes}
