"""E-mail against a real SMTP server on 127.0.0.1 (aiosmtpd, STARTTLS with a trustme CA,
AUTH only after TLS)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestration.distribution import Alert, EmailChannel, FileDrop, deliver, notify
from tests.support.smtp import LoopbackSmtp

pytest.importorskip("aiosmtpd")
pytest.importorskip("trustme")

WEEK = "2026-W47"
SUMMARY = {
    "ETH": "fragility index 0.62 (elevated), +0.05 w/w",
    "BTC": "fragility index 0.41 (normal), -0.02 w/w",
    "Venue <b>x</b>": "escaped & shown",
}


@pytest.fixture(scope="module")
def smtp() -> Iterator[LoopbackSmtp]:
    with LoopbackSmtp(username="reports", password="Sup3r-s3cret!pw") as server:
        yield server


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    path = tmp_path / "reports" / f"fragility-{WEEK}.pdf"
    path.parent.mkdir()
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n")
    return path


def channel(smtp: LoopbackSmtp, **changes: object) -> EmailChannel:
    settings: dict[str, object] = {
        "host": "127.0.0.1",
        "port": smtp.port,
        "username": smtp.username,
        "password": smtp.password,
        "sender": "Perp Fragility <reports@desk.example>",
        "recipients": ["analyst@desk.example", "pm@desk.example"],
        "ssl_context": smtp.client_context(),
        "timeout": 5.0,
    }
    settings.update(changes)
    return EmailChannel(**settings)  # type: ignore[arg-type]


def test_report_arrives_over_starttls_with_the_pdf_attached(smtp: LoopbackSmtp, pdf: Path) -> None:
    smtp.received.clear()
    report = deliver(pdf, SUMMARY, [channel(smtp)])

    assert report.ok, report.describe()
    (mail,) = smtp.received
    assert mail.tls and mail.login == "reports"
    assert mail.mail_from == "reports@desk.example"
    assert sorted(mail.rcpt_tos) == ["analyst@desk.example", "pm@desk.example"]
    message = mail.message
    assert message["Subject"] == f"Perp fragility weekly report {WEEK}"
    assert message["To"] == "analyst@desk.example, pm@desk.example"
    assert message["Message-ID"] == f"<perp-fragility.{WEEK}@desk.example>"
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"fragility-{WEEK}.pdf"
    assert attachment.get_content() == pdf.read_bytes()
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert WEEK in plain and SUMMARY["ETH"] in plain and SUMMARY["BTC"] in plain
    assert WEEK in html and "Venue &lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    assert pdf.exists()


def test_message_id_is_stable_per_week(smtp: LoopbackSmtp, pdf: Path) -> None:
    smtp.received.clear()
    deliver(pdf, SUMMARY, [channel(smtp)])
    deliver(pdf, {"ETH": "re-sent"}, [channel(smtp)])
    first, second = (mail.message["Message-ID"] for mail in smtp.received)
    assert first == second == f"<perp-fragility.{WEEK}@desk.example>"


def test_wrong_password_fails_once_without_leaking_it(
    smtp: LoopbackSmtp, pdf: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    smtp.received.clear()
    caplog.set_level(logging.DEBUG)
    wrong = "Wr0ng-but-secret-pw"
    email = channel(smtp, password=wrong)
    archive = FileDrop(tmp_path / "archive")
    report = deliver(pdf, SUMMARY, [email, archive], retries=3)

    outcomes = {o.channel: o for o in report.outcomes}
    failed = outcomes["email"]
    assert not failed.ok and failed.attempts == 1, "bad credentials are not retried"
    assert "authentication failed" in (failed.error or "") and "535" in (failed.error or "")
    everything = report.describe() + repr(report) + repr(email) + caplog.text
    assert wrong not in everything
    assert outcomes["file_drop"].ok and pdf.exists()
    assert smtp.received == []


def test_credentials_are_never_sent_without_tls(smtp: LoopbackSmtp, pdf: Path) -> None:
    smtp.received.clear()
    report = deliver(pdf, SUMMARY, [channel(smtp, starttls=False)], retries=2)
    (outcome,) = report.outcomes
    assert not outcome.ok and outcome.attempts == 1
    assert "without TLS" in (outcome.error or "")
    assert smtp.received == []


def test_server_without_starttls_is_refused(pdf: Path) -> None:
    with LoopbackSmtp(tls=False) as plain:
        report = deliver(pdf, SUMMARY, [channel(plain)], retries=2)
        assert plain.received == []
    (outcome,) = report.outcomes
    assert not outcome.ok and outcome.attempts == 1
    assert "does not offer STARTTLS" in (outcome.error or "")


def test_untrusted_certificate_is_refused(smtp: LoopbackSmtp, pdf: Path) -> None:
    smtp.received.clear()
    report = deliver(pdf, SUMMARY, [channel(smtp, ssl_context=None)], retries=2)
    (outcome,) = report.outcomes
    assert not outcome.ok and outcome.attempts == 1
    assert "not trusted" in (outcome.error or "")
    assert smtp.password not in (outcome.error or "")
    assert smtp.received == []


def test_unreachable_relay_is_retried_then_reported(pdf: Path) -> None:
    waits: list[float] = []
    dead = EmailChannel(
        "127.0.0.1", 9, "u", "pw-123456", "r@desk.example", ["a@desk.example"], timeout=2.0
    )
    report = deliver(
        pdf,
        SUMMARY,
        [dead],
        retries=2,
        backoff=0.25,
        on_retry=lambda event: waits.append(event.wait_s),
    )
    (outcome,) = report.outcomes
    assert not outcome.ok and outcome.attempts == 3 and waits == [0.25, 0.5]
    assert "pw-123456" not in (outcome.error or "")


def test_alert_email(smtp: LoopbackSmtp) -> None:
    smtp.received.clear()
    alert = Alert(
        kind="run_failure",
        title="Run failed: daily_market_job [2026-11-16]",
        job="daily_market_job",
        asset_key="raw/funding_rates",
        partition="2026-11-16",
        error="NetworkError: binance unreachable",
        run_id="abc-123",
    )
    report = notify(alert, [channel(smtp)])
    assert report.ok, report.describe()
    (mail,) = smtp.received
    message = mail.message
    assert message["Subject"] == "[perp-fragility] Run failed: daily_market_job [2026-11-16]"
    body = message.get_body(("plain",)).get_content()
    assert "raw/funding_rates" in body and "binance unreachable" in body and "abc-123" in body
    assert list(message.iter_attachments()) == []


def test_resource_delivers_by_email_from_env(
    smtp: LoopbackSmtp, pdf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration.resources.distribution import ENV_VARS, distribution_from_env

    for variable, _ in ENV_VARS.values():
        monkeypatch.delenv(variable, raising=False)
    ca = tmp_path / "ca.pem"
    ca.write_bytes(smtp.ca_pem())
    env = {
        "PERP_FRAGILITY_SMTP_HOST": "127.0.0.1",
        "PERP_FRAGILITY_SMTP_PORT": str(smtp.port),
        "PERP_FRAGILITY_SMTP_USER": smtp.username,
        "PERP_FRAGILITY_SMTP_PASSWORD": smtp.password,
        "PERP_FRAGILITY_SMTP_FROM": "reports@desk.example",
        "PERP_FRAGILITY_SMTP_TO": "analyst@desk.example, pm@desk.example",
        "PERP_FRAGILITY_SMTP_STARTTLS": "true",
        "PERP_FRAGILITY_SMTP_CA_FILE": str(ca),
        "PERP_FRAGILITY_ARCHIVE_DIR": str(tmp_path / "archive"),
        "PERP_FRAGILITY_REPORT_BASE_URL": "https://reports.desk.example/fragility/",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    smtp.received.clear()
    resource = distribution_from_env(retries=0).process_config_and_initialize()
    report = resource.deliver_report(pdf, SUMMARY, pages=3)
    assert report.ok, report.describe()
    assert [o.channel for o in report.outcomes] == ["file_drop", "email"]
    (mail,) = smtp.received
    assert sorted(mail.rcpt_tos) == ["analyst@desk.example", "pm@desk.example"]
    body = mail.message.get_body(("plain",)).get_content()
    assert f"https://reports.desk.example/fragility/fragility-{WEEK}.pdf" in body
    assert smtp.password not in report.describe()
