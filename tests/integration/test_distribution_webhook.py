"""The webhook against a loopback HTTP server (pytest-httpserver), and a whole delivery with a
failing channel."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import stamina
from pytest_httpserver import HTTPServer

from orchestration.distribution import (
    Alert,
    FileDrop,
    WebhookChannel,
    deliver,
    notify,
)
from orchestration.lib.retry_policy import RetryEvent
from tests.support.webhook import posts, script_webhook

WEEK = "2026-W47"
TOKEN = "B0123/xoxb-THIS-IS-THE-SECRET-PART"
SUMMARY = {
    "ETH": "fragility index 0.62 (elevated), +0.05 w/w",
    "BTC": "fragility index 0.41 (normal), -0.02 w/w",
}


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    path = tmp_path / "reports" / f"fragility-{WEEK}.pdf"
    path.parent.mkdir()
    path.write_bytes(b"%PDF-1.7\nUNIQUE-PDF-MARKER\n%%EOF\n")
    return path


def test_slack_compatible_json_without_the_pdf(pdf: Path, httpserver: HTTPServer) -> None:
    url = script_webhook(httpserver, f"/services/{TOKEN}")
    channel = WebhookChannel(url, timeout=5, headers={"X-Env": "t"})
    report = deliver(pdf, SUMMARY, [channel])
    assert report.ok, report.describe()
    (request,) = posts(httpserver)
    assert request.path == f"/services/{TOKEN}"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Env"] == "t"
    payload = request.get_json()
    assert set(payload) == {"text", "blocks"}
    assert WEEK in payload["text"]
    blocks = payload["blocks"]
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": f"Perp fragility weekly report {WEEK}"},
    }
    section = blocks[1]["text"]["text"]
    assert SUMMARY["ETH"] in section and SUMMARY["BTC"] in section
    assert str(pdf) in blocks[2]["elements"][0]["text"]
    body = request.get_data()
    assert b"UNIQUE-PDF-MARKER" not in body and len(body) < 4000
    assert TOKEN not in report.describe()


def test_link_and_slack_escaping(pdf: Path, httpserver: HTTPServer) -> None:
    channel = WebhookChannel(script_webhook(httpserver), timeout=5)
    deliver(
        pdf,
        {"venue <!channel>": "a & b"},
        [channel],
        link="https://reports.example/fragility-2026-W47.pdf",
    )
    payload = posts(httpserver)[0].get_json()
    assert "<!channel>" not in payload["text"] and "&lt;!channel&gt;" in payload["text"]
    assert "a &amp; b" in payload["blocks"][1]["text"]["text"]
    context = payload["blocks"][2]["elements"][0]["text"]
    assert (
        context == "Report: <https://reports.example/fragility-2026-W47.pdf|fragility-2026-W47.pdf>"
    )


def test_500_then_200_is_retried(pdf: Path, httpserver: HTTPServer) -> None:
    events: list[RetryEvent] = []
    url = script_webhook(httpserver, f"/services/{TOKEN}", [500])
    channel = WebhookChannel(url, timeout=5)
    report = deliver(pdf, SUMMARY, [channel], retries=2, backoff=0.05, on_retry=events.append)
    (outcome,) = report.outcomes
    assert outcome.ok and outcome.attempts == 2, outcome.describe()
    sent = posts(httpserver)
    assert len(sent) == 2 and sent[0].get_data() == sent[1].get_data()
    assert [e.wait_s for e in events] == [0.05]
    assert TOKEN not in (outcome.detail or "")


def test_retry_after_of_a_429_is_honoured(pdf: Path, httpserver: HTTPServer) -> None:
    events: list[RetryEvent] = []
    url = script_webhook(httpserver, statuses=[429], headers={"Retry-After": "30"})
    report = deliver(pdf, SUMMARY, [WebhookChannel(url, timeout=5)], on_retry=events.append)
    assert report.ok and report.outcomes[0].attempts == 2
    assert [(e.wait_s, e.retry_after_s) for e in events] == [(30.0, 30.0)]


def test_a_retry_after_over_five_minutes_gives_up_at_once(
    pdf: Path, httpserver: HTTPServer
) -> None:
    url = script_webhook(httpserver, statuses=[503], headers={"Retry-After": "3600"})
    report = deliver(pdf, SUMMARY, [WebhookChannel(url, timeout=5)], retries=5)
    (outcome,) = report.outcomes
    assert not outcome.ok and outcome.attempts == 1 and len(posts(httpserver)) == 1
    assert "HTTP 503" in (outcome.error or "") and "Retry-After 3600 s" in (outcome.error or "")


def test_the_real_wait_is_slept_outside_test_mode(pdf: Path, httpserver: HTTPServer) -> None:
    url = script_webhook(httpserver, statuses=[502])
    with stamina.set_testing(False):
        report = deliver(pdf, SUMMARY, [WebhookChannel(url, timeout=5)], backoff=0.05)
    assert report.ok and report.outcomes[0].attempts == 2


def test_permanent_failure_is_reported_and_the_pdf_and_archive_survive(
    pdf: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture, httpserver: HTTPServer
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.WARNING, logger="werkzeug")  # the test server's own access log
    original = pdf.read_bytes()
    down_path, gone_path = f"/down/services/{TOKEN}", f"/gone/services/{TOKEN}"
    channels = [
        WebhookChannel(script_webhook(httpserver, down_path, then=503), timeout=5),
        FileDrop(tmp_path / "archive"),
        WebhookChannel(script_webhook(httpserver, gone_path, then=404), timeout=5),
    ]
    report = deliver(pdf, SUMMARY, channels, retries=2, backoff=0.01)
    outcomes = [(o.channel, o.ok, o.attempts) for o in report.outcomes]
    assert outcomes == [("file_drop", True, 1), ("webhook", False, 3), ("webhook", False, 1)]
    down, gone = posts(httpserver, down_path), posts(httpserver, gone_path)
    assert len(down) == 3 and len(gone) == 1, "bounded; 4xx not retried"
    assert "HTTP 503" in (report.outcomes[1].error or "")
    assert "HTTP 404" in (report.outcomes[2].error or "")
    assert not report.ok and len(report.failed) == 2
    text = report.describe() + repr(report) + caplog.text
    assert TOKEN not in text and "xoxb" not in text
    assert "http://127.0.0.1:" in text, "the host stays visible for the reader"
    assert pdf.read_bytes() == original
    assert (tmp_path / "archive" / f"fragility-{WEEK}.pdf").read_bytes() == original
    # the webhook that did get through would point at the archived copy
    assert (
        str(tmp_path / "archive" / f"fragility-{WEEK}.pdf")
        in down[0].get_json()["blocks"][2]["elements"][0]["text"]
    )


def test_unreachable_url_is_masked(pdf: Path) -> None:
    channel = WebhookChannel(f"http://127.0.0.1:9/services/{TOKEN}?token=abc12345", timeout=2)
    report = deliver(pdf, SUMMARY, [channel], retries=1)
    (outcome,) = report.outcomes
    assert not outcome.ok and outcome.attempts == 2
    assert "unreachable" in (outcome.error or "")
    assert TOKEN not in (outcome.error or "") and "abc12345" not in (outcome.error or "")
    assert repr(channel) == "WebhookChannel('http://127.0.0.1:9/***')"


def test_alert_payload(httpserver: HTTPServer) -> None:
    alert = Alert(
        kind="check_failure",
        title="Asset check failed: raw/funding_rates:funding_within_caps [2026-11-16]",
        asset_key="raw/funding_rates",
        partition="2026-11-16",
        error="3 rows above the venue cap",
        run_id="run-1",
        url="http://127.0.0.1:3000/runs/run-1",
        severity="WARN",
    )
    report = notify(alert, [WebhookChannel(script_webhook(httpserver), timeout=5)])
    assert report.ok
    payload = posts(httpserver)[0].get_json()
    assert payload["text"].startswith("Asset check failed: raw/funding_rates")
    body = payload["blocks"][1]["text"]["text"]
    assert "Severity: WARN" in body and "Partition: 2026-11-16" in body
    assert "3 rows above the venue cap" in body
    assert payload["blocks"][2]["elements"][0]["text"] == (
        "<http://127.0.0.1:3000/runs/run-1|Open the run in Dagster>"
    )
