"""deliver/notify with in-memory channels: retries, independence, masking, the resource."""

from __future__ import annotations

import logging
from pathlib import Path

import dagster as dg
import pytest

from orchestration.distribution import (
    Alert,
    DeliveryError,
    PermanentDeliveryError,
    Redactor,
    Report,
    deliver,
    delivery_budget,
    mask_url,
    notify,
    week_from_path,
)
from orchestration.resources.distribution import (
    ENV_VARS,
    DistributionResource,
    distribution_from_env,
)

WEEK = "2026-W47"
TOKEN = "xoxb-SECRET-token-123456"


class Scripted:
    """A channel failing with the scripted exceptions, then succeeding."""

    def __init__(self, name: str, failures: list[Exception] | None = None):
        self.name = name
        self.failures = list(failures or [])
        self.calls: list[Report | Alert] = []

    def _go(self, item: Report | Alert) -> str:
        self.calls.append(item)
        if self.failures:
            raise self.failures.pop(0)
        return f"{self.name} done"

    def send_report(self, report: Report) -> str:
        return self._go(report)

    def send_alert(self, alert: Alert) -> str:
        return self._go(alert)


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    path = tmp_path / f"fragility-{WEEK}.pdf"
    path.write_bytes(b"%PDF-1.7 test")
    return path


def test_retries_with_exponential_backoff_then_succeeds(pdf: Path) -> None:
    waits: list[float] = []
    flaky = Scripted("flaky", [DeliveryError("502"), DeliveryError("503")])
    report = deliver(
        pdf,
        {"ETH": "0.6"},
        [flaky],
        retries=3,
        backoff=0.5,
        on_retry=lambda event: waits.append(event.wait_s),
    )
    (outcome,) = report.outcomes
    assert outcome.ok and outcome.attempts == 3 and outcome.detail == "flaky done"
    assert waits == [0.5, 1.0]
    assert report.ok and report.subject == WEEK and report.pdf_path == pdf


def test_gives_up_after_bounded_retries_and_other_channels_still_deliver(pdf: Path) -> None:
    waits: list[float] = []
    down = Scripted("down", [DeliveryError("connection refused")] * 10)
    fine = Scripted("fine")
    report = deliver(
        pdf,
        {},
        [down, fine],
        retries=2,
        backoff=1.0,
        on_retry=lambda event: waits.append(event.wait_s),
    )
    assert [(o.channel, o.ok, o.attempts) for o in report.outcomes] == [
        ("down", False, 3),
        ("fine", True, 1),
    ]
    assert report.failed[0].error == "DeliveryError: connection refused"
    assert waits == [1.0, 2.0]
    assert len(fine.calls) == 1 and pdf.exists()
    assert "down: failed after 3 attempt(s)" in report.describe()


def test_permanent_errors_and_crashes(pdf: Path) -> None:
    auth = Scripted("auth", [PermanentDeliveryError("535 bad credentials")] * 3)
    crash = Scripted("crash", [RuntimeError("bug")] * 5)
    report = deliver(pdf, {}, [auth, crash], retries=2)
    assert [(o.ok, o.attempts) for o in report.outcomes] == [(False, 1), (False, 3)]
    assert "RuntimeError: bug" in (report.outcomes[1].error or "")


def test_unknown_errors_are_masked_by_the_channel(pdf: Path) -> None:
    class Leaky(Scripted):
        def redact(self, text: str) -> str:
            return Redactor(secrets=[TOKEN])(text)

    leaky = Leaky("leaky", [RuntimeError(f"auth {TOKEN} rejected")])
    report = deliver(pdf, {}, [leaky], retries=0)
    assert TOKEN not in report.describe()
    assert "auth *** rejected" in report.describe()


def test_file_drops_go_first_and_later_channels_see_the_archive(pdf: Path, tmp_path: Path) -> None:
    from orchestration.distribution import FileDrop

    hook = Scripted("webhook")
    report = deliver(pdf, {}, [hook, FileDrop(tmp_path / "arch")])
    assert [o.channel for o in report.outcomes] == ["file_drop", "webhook"]
    (seen,) = hook.calls
    assert isinstance(seen, Report)
    assert seen.archived_path == tmp_path / "arch" / f"fragility-{WEEK}.pdf"
    assert seen.location == str(seen.archived_path)


def test_week_comes_from_the_file_name_or_argument(pdf: Path, tmp_path: Path) -> None:
    assert week_from_path(pdf) == WEEK
    other = tmp_path / "out.pdf"
    other.write_bytes(b"%PDF")
    with pytest.raises(ValueError, match="week"):
        deliver(other, {}, [])
    assert deliver(other, {}, [], week="2026-W01").subject == "2026-W01"
    with pytest.raises(FileNotFoundError):
        deliver(tmp_path / "missing.pdf", {}, [])


def test_no_channel_is_a_valid_configuration(pdf: Path) -> None:
    report = deliver(pdf, {}, [])
    assert report.ok and report.outcomes == ()
    assert "no distribution channel configured" in report.describe()


def test_notify_skips_channels_without_alerts(tmp_path: Path) -> None:
    from orchestration.distribution import FileDrop

    hook = Scripted("webhook", [DeliveryError("500")])
    alert = Alert(kind="run_failure", title="Run failed: daily_market_job", run_id="r1")
    report = notify(alert, [FileDrop(tmp_path), hook], retries=1)
    assert [(o.channel, o.ok, o.attempts) for o in report.outcomes] == [("webhook", True, 2)]
    assert report.pdf_path is None and report.subject == alert.title


def test_backoff_is_capped() -> None:
    import random

    budget = delivery_budget(4, 2.0)
    rng = random.Random(0)
    assert budget.attempts == 5
    assert [budget.backoff(n, rng) for n in range(4)] == [2.0, 4.0, 8.0, 16.0]
    assert delivery_budget(10, 30.0).backoff(9, rng) == 60.0
    assert delivery_budget(0, 2.0).attempts == 1


def test_mask_url_and_redactor() -> None:
    url = f"https://hooks.slack.com/services/T0/B0/{TOKEN}?x=1"
    assert mask_url(url) == "https://hooks.slack.com/***"
    assert mask_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080"
    assert mask_url("not a url") == "***"
    redact = Redactor(secrets=["hunter22", None, ""], urls=[url])
    text = f"POST {url} failed; path /services/T0/B0/{TOKEN}; pw hunter22 b64 aHVudGVyMjI="
    masked = redact(text)
    assert TOKEN not in masked and "hunter22" not in masked and "aHVudGVyMjI=" not in masked


def test_resource_from_env_enables_only_configured_channels(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for variable, _ in ENV_VARS.values():
        monkeypatch.delenv(variable, raising=False)
    empty = distribution_from_env().process_config_and_initialize()
    assert empty.enabled_channels() == ()

    monkeypatch.setenv("PERP_FRAGILITY_ARCHIVE_DIR", str(tmp_path / "archive"))
    # a closed loopback port: refused at once, no DNS, no network
    monkeypatch.setenv("PERP_FRAGILITY_WEBHOOK_URL", f"http://127.0.0.1:9/hooks/{TOKEN}")
    monkeypatch.setenv("PERP_FRAGILITY_SMTP_HOST", "smtp.example.com")
    monkeypatch.setenv("PERP_FRAGILITY_SMTP_PORT", "2525")
    monkeypatch.setenv("PERP_FRAGILITY_SMTP_PASSWORD", "pw-not-shown")
    unresolved = distribution_from_env(retries=0)
    # secrets stay EnvVar references until Dagster resolves them: the UI shows names only
    assert isinstance(unresolved.webhook_url, dg.EnvVar)
    assert unresolved.smtp_user is None and unresolved.smtp_to is None
    resource = unresolved.process_config_and_initialize()
    assert resource.smtp_port == 2525
    assert resource.enabled_channels() == ("file_drop", "email", "webhook")
    # e-mail lacks FROM/TO and user: reported as that channel's failure, nothing leaks
    pdf = tmp_path / f"fragility-{WEEK}.pdf"
    pdf.write_bytes(b"%PDF-1.7")
    report = resource.deliver_report(pdf, {"BTC": "0.4"})
    outcomes = {o.channel: o for o in report.outcomes}
    assert outcomes["file_drop"].ok
    assert not outcomes["email"].ok
    assert "PERP_FRAGILITY_SMTP_FROM" in (outcomes["email"].error or "")
    assert not outcomes["webhook"].ok and outcomes["webhook"].attempts == 1
    assert TOKEN not in report.describe() and "pw-not-shown" not in report.describe()


def test_resource_binds_in_definitions_without_optional_vars(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for variable, _ in ENV_VARS.values():
        monkeypatch.delenv(variable, raising=False)

    @dg.asset
    def uses_distribution(distribution: DistributionResource) -> int:
        return len(distribution.enabled_channels())

    resources = {"distribution": distribution_from_env()}
    result = dg.materialize([uses_distribution], resources=resources)
    assert result.success and result.output_for_node("uses_distribution") == 0


def test_bad_starttls_value_is_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    resource = DistributionResource(
        smtp_host="h", smtp_from="a@b.c", smtp_to="d@e.f", smtp_starttls="maybe"
    )
    pdf = tmp_path / f"fragility-{WEEK}.pdf"
    pdf.write_bytes(b"%PDF")
    (outcome,) = resource.deliver_report(pdf, {}).outcomes
    assert not outcome.ok and "STARTTLS" in (outcome.error or "")


def test_logs_never_contain_secrets(pdf: Path, caplog: pytest.LogCaptureFixture) -> None:
    class Leaky(Scripted):
        def redact(self, text: str) -> str:
            return Redactor(secrets=[TOKEN])(text)

    caplog.set_level(logging.DEBUG, logger="orchestration.distribution")
    deliver(pdf, {}, [Leaky("x", [DeliveryError(TOKEN)] * 3)], retries=2)
    assert caplog.records and TOKEN not in caplog.text


def test_the_resource_logs_retries_and_failures_to_the_dagster_log(
    pdf: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="dagster")
    resource = DistributionResource(
        webhook_url=f"http://127.0.0.1:9/hooks/{TOKEN}", retries=1, backoff_s=0.0
    )
    report = resource.deliver_report(pdf, {})
    assert not report.ok
    dagster_lines = [r.getMessage() for r in caplog.records if r.name.startswith("dagster")]
    assert any("webhook: attempt 1 failed; retrying" in line for line in dagster_lines)
    assert any("webhook: failed after 2 attempt(s)" in line for line in dagster_lines)
    assert TOKEN not in caplog.text
