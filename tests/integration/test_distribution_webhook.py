"""The webhook against a loopback HTTP server, and a whole delivery with a failing channel."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from orchestration.lib.distribution import (
    Alert,
    FileDrop,
    WebhookChannel,
    deliver,
    notify,
)
from orchestration.lib.distribution.loopback import LoopbackWebhook

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


def test_slack_compatible_json_without_the_pdf(pdf: Path) -> None:
    with LoopbackWebhook() as hook:
        channel = WebhookChannel(hook.url(f"/services/{TOKEN}"), timeout=5, headers={"X-Env": "t"})
        report = deliver(pdf, SUMMARY, [channel], sleep=lambda s: None)
    assert report.ok, report.describe()
    (request,) = hook.requests
    assert request.path == f"/services/{TOKEN}"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Env"] == "t"
    payload = request.json()
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
    assert b"UNIQUE-PDF-MARKER" not in request.body and len(request.body) < 4000
    assert TOKEN not in report.describe()


def test_link_and_slack_escaping(pdf: Path) -> None:
    with LoopbackWebhook() as hook:
        channel = WebhookChannel(hook.url(), timeout=5)
        deliver(
            pdf,
            {"venue <!channel>": "a & b"},
            [channel],
            link="https://reports.example/fragility-2026-W47.pdf",
            sleep=lambda s: None,
        )
    payload = hook.requests[0].json()
    assert "<!channel>" not in payload["text"] and "&lt;!channel&gt;" in payload["text"]
    assert "a &amp; b" in payload["blocks"][1]["text"]["text"]
    context = payload["blocks"][2]["elements"][0]["text"]
    assert (
        context == "Report: <https://reports.example/fragility-2026-W47.pdf|fragility-2026-W47.pdf>"
    )


def test_500_then_200_is_retried(pdf: Path) -> None:
    waits: list[float] = []
    with LoopbackWebhook(statuses=[500]) as hook:
        channel = WebhookChannel(hook.url(f"/services/{TOKEN}"), timeout=5)
        report = deliver(pdf, SUMMARY, [channel], retries=2, backoff=0.05, sleep=waits.append)
    (outcome,) = report.outcomes
    assert outcome.ok and outcome.attempts == 2, outcome.describe()
    assert len(hook.requests) == 2 and hook.requests[0].body == hook.requests[1].body
    assert waits == [0.05]
    assert TOKEN not in (outcome.detail or "")


def test_permanent_failure_is_reported_and_the_pdf_and_archive_survive(
    pdf: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    original = pdf.read_bytes()
    waits: list[float] = []
    with LoopbackWebhook(statuses=[503] * 10) as down, LoopbackWebhook(statuses=[404]) as gone:
        channels = [
            WebhookChannel(down.url(f"/services/{TOKEN}"), timeout=5),
            FileDrop(tmp_path / "archive"),
            WebhookChannel(gone.url(f"/services/{TOKEN}"), timeout=5),
        ]
        report = deliver(pdf, SUMMARY, channels, retries=2, backoff=0.01, sleep=waits.append)
    outcomes = [(o.channel, o.ok, o.attempts) for o in report.outcomes]
    assert outcomes == [("file_drop", True, 1), ("webhook", False, 3), ("webhook", False, 1)]
    assert len(down.requests) == 3 and len(gone.requests) == 1, "bounded; 4xx not retried"
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
        in down.requests[0].json()["blocks"][2]["elements"][0]["text"]
    )


def test_unreachable_url_is_masked(pdf: Path) -> None:
    channel = WebhookChannel(f"http://127.0.0.1:9/services/{TOKEN}?token=abc12345", timeout=2)
    report = deliver(pdf, SUMMARY, [channel], retries=1, sleep=lambda s: None)
    (outcome,) = report.outcomes
    assert not outcome.ok and outcome.attempts == 2
    assert "unreachable" in (outcome.error or "")
    assert TOKEN not in (outcome.error or "") and "abc12345" not in (outcome.error or "")
    assert repr(channel) == "WebhookChannel('http://127.0.0.1:9/***')"


def test_alert_payload() -> None:
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
    with LoopbackWebhook() as hook:
        report = notify(alert, [WebhookChannel(hook.url(), timeout=5)], sleep=lambda s: None)
    assert report.ok
    payload = hook.requests[0].json()
    assert payload["text"].startswith("Asset check failed: raw/funding_rates")
    body = payload["blocks"][1]["text"]["text"]
    assert "Severity: WARN" in body and "Partition: 2026-11-16" in body
    assert "3 rows above the venue cap" in body
    assert payload["blocks"][2]["elements"][0]["text"] == (
        "<http://127.0.0.1:3000/runs/run-1|Open the run in Dagster>"
    )
