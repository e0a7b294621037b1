"""The webhook channel: a Slack-compatible JSON post (``{"text": ..., "blocks": [...]}``).

Why it behaves as it does:

* it sends the week, the summary lines and where the report lives (link, archive path or
  file path), **never the PDF bytes**: chat webhooks are not file stores, and a report
  forwarded into a channel should be fetched from the archive;
* the URL is a secret (Slack's token is its path), so it is masked in every error and
  ``repr``; redirects are not followed, so the payload never goes to a host nobody configured;
* urllib3 logs each request line (with the URL path) at DEBUG: a filter on its logger masks
  the registered webhook URLs there too;
* 408, 425, 429 and 5xx replies and network errors may pass: :func:`deliver` retries them;
  other 4xx replies (a revoked or mistyped URL) are permanent.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

import requests

from orchestration.distribution import _text
from orchestration.distribution._model import (
    Alert,
    DeliveryError,
    PermanentDeliveryError,
    Report,
)
from orchestration.distribution._redact import Redactor, mask_url
from orchestration.lib.retry_policy import retry_after_seconds

_TRANSIENT_STATUS = frozenset({408, 425, 429})
_URLLIB3_LOGGER = "urllib3.connectionpool"


class _MaskingFilter(logging.Filter):
    """Masks registered secrets in records of the logger it is attached to."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._redactors: dict[str, Redactor] = {}

    def register(self, url: str, redactor: Redactor) -> None:
        with self._lock:
            self._redactors[url] = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = message
        for redactor in list(self._redactors.values()):
            masked = redactor(masked)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


_FILTER = _MaskingFilter()
logging.getLogger(_URLLIB3_LOGGER).addFilter(_FILTER)


class WebhookChannel:
    """Posts reports and alerts as Slack-compatible JSON to one URL."""

    name = "webhook"

    def __init__(
        self,
        url: str,
        timeout: float = 10.0,
        headers: Mapping[str, str] | None = None,
    ):
        if not url.startswith(("https://", "http://")):
            raise ValueError("webhook URL must start with https:// (or http:// for loopback)")
        self._url = url
        self.timeout = timeout
        self.headers = dict(headers or {})
        # header values (e.g. "Authorization: Bearer ...") are secrets too
        self._redact = Redactor(secrets=self.headers.values(), urls=[url])
        _FILTER.register(url, self._redact)

    def redact(self, text: str) -> str:
        """``text`` with this channel's secrets masked."""
        return self._redact(text)

    @property
    def masked_url(self) -> str:
        return mask_url(self._url)

    def __repr__(self) -> str:
        return f"WebhookChannel({self.masked_url!r})"

    def send_report(self, report: Report) -> str:
        return self.post(_text.report_slack(report))

    def send_alert(self, alert: Alert) -> str:
        return self.post(_text.alert_slack(alert))

    def post(self, payload: Mapping[str, Any]) -> str:
        """POST ``payload`` as JSON; return ``HTTP <status> from <masked url>``."""
        headers = {"Content-Type": "application/json", **self.headers}
        try:
            response = requests.post(
                self._url,
                json=payload,
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            raise DeliveryError(
                f"{self.masked_url} unreachable: {self._redact.error_text(exc)}"
            ) from None
        status = response.status_code
        if 200 <= status < 300:
            return f"HTTP {status} from {self.masked_url}"
        body = self._redact(response.text[:200].strip())
        message = f"{self.masked_url} answered HTTP {status}" + (f": {body}" if body else "")
        if status in _TRANSIENT_STATUS or status >= 500:
            raise DeliveryError(message, retry_after_seconds(response.headers))
        raise PermanentDeliveryError(message)
