"""Message bodies shared by the e-mail and webhook channels.

Everything that came from data (venue names, error messages, check metadata) is escaped for
the medium it goes into: HTML for e-mail, Slack ``mrkdwn`` for the webhook (Slack asks for
``&``, ``<`` and ``>`` to be escaped, otherwise ``<!channel>`` in an error would ping a room).
"""

from __future__ import annotations

from html import escape as html_escape
from typing import Any

from orchestration.distribution._model import Alert, Report, summary_lines

_SLACK_TEXT_LIMIT = 2900  # a section block holds 3000 characters


def slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int = _SLACK_TEXT_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def report_plain(report: Report) -> str:
    lines = [report.title, ""]
    lines.extend(summary_lines(report.summary) or ("(no summary)",))
    lines += ["", f"Report: {report.location}"]
    return "\n".join(lines) + "\n"


def report_email_plain(report: Report) -> str:
    return report_plain(report) + "\nThe PDF is attached.\n"


def report_email_html(report: Report) -> str:
    items = "".join(f"<li>{html_escape(line)}</li>" for line in summary_lines(report.summary))
    return (
        "<!doctype html><html><body>"
        f"<h2>{html_escape(report.title)}</h2>"
        f"<ul>{items}</ul>"
        f"<p>Report: <code>{html_escape(report.location)}</code></p>"
        "<p>The PDF is attached.</p>"
        "</body></html>"
    )


def report_slack(report: Report) -> dict[str, Any]:
    """Slack-compatible payload: ``text`` is the notification fallback, ``blocks`` the card."""
    lines = summary_lines(report.summary)
    body = "\n".join(f"• {slack_escape(line)}" for line in lines) or "(no summary)"
    if report.link:
        where = f"<{report.link}|{slack_escape(report.path.name)}>"
    else:
        where = f"`{slack_escape(report.location)}`"
    fallback = f"{report.title}: " + "; ".join(lines) if lines else report.title
    return {
        "text": _clip(slack_escape(fallback)),
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": _clip(report.title, 150)}},
            {"type": "section", "text": {"type": "mrkdwn", "text": _clip(body)}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"Report: {where}"}]},
        ],
    }


def alert_plain(alert: Alert) -> str:
    return "\n".join((alert.title, "", *alert.lines())) + "\n"


def alert_email_html(alert: Alert) -> str:
    items = "".join(f"<li>{html_escape(line)}</li>" for line in alert.lines())
    return (
        "<!doctype html><html><body>"
        f"<h2>{html_escape(alert.title)}</h2><ul>{items}</ul>"
        "</body></html>"
    )


def alert_slack(alert: Alert) -> dict[str, Any]:
    body = "\n".join(f"• {slack_escape(line)}" for line in alert.lines() if line)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _clip(alert.title, 150)}},
        {"type": "section", "text": {"type": "mrkdwn", "text": _clip(body or alert.title)}},
    ]
    if alert.url:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"<{alert.url}|Open the run in Dagster>"}],
            }
        )
    fallback = f"{alert.title}: {alert.error}" if alert.error else alert.title
    return {"text": _clip(slack_escape(fallback)), "blocks": blocks}
