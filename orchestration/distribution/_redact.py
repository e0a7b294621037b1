"""Masking secrets in text that leaves a channel (errors, descriptions, reports).

Library exceptions quote what they were given: ``requests`` puts the webhook URL (whose path
*is* the Slack token) in its messages, and an SMTP server may echo what the client sent. Every
channel therefore passes its error text through a :class:`Redactor` that knows the channel's
secrets, so nothing sensitive reaches logs, run metadata or an alert.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

MASK = "***"
_MIN_SECRET_LEN = 3  # masking "a" would shred every message and protect nothing


def mask_url(url: str) -> str:
    """``https://hooks.slack.com/services/T0/B0/XYZ?k=1`` -> ``https://hooks.slack.com/***``.

    The host stays (it tells the reader which service failed); user info, path, query and
    fragment go, since webhook services put their tokens in any of them."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    if not parts.scheme or not host:
        return MASK
    hidden = parts.path not in ("", "/") or parts.query or parts.fragment or parts.username
    return urlunsplit((parts.scheme, host, "/" + MASK if hidden else "", "", ""))


def _url_fragments(url: str) -> list[str]:
    parts = urlsplit(url)
    fragments = [url, parts.path, parts.query, parts.fragment, parts.password or ""]
    if parts.query:
        fragments.append(f"{parts.path}?{parts.query}")
    # each long path segment too: libraries sometimes quote a URL re-encoded or cut short
    fragments.extend(seg for seg in parts.path.split("/") if len(seg) >= 8)
    return fragments


class Redactor:
    """Replaces known secrets (and their usual encodings) with ``***``."""

    def __init__(self, secrets: Iterable[str | None] = (), urls: Iterable[str | None] = ()):
        found: set[str] = set()
        for secret in secrets:
            if secret:
                found.add(secret)
                found.add(base64.b64encode(secret.encode()).decode())
        for url in urls:
            if url:
                found.update(fragment for fragment in _url_fragments(url) if fragment)
        # longest first, so a secret containing another is masked whole
        self._secrets = sorted(
            (s for s in found if len(s) >= _MIN_SECRET_LEN and s != "/"), key=len, reverse=True
        )

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text

    def error_text(self, exc: BaseException, limit: int = 500) -> str:
        """``ExceptionType: message`` with secrets masked, cut to ``limit`` characters."""
        message = str(exc).strip() or "(no message)"
        text = self(f"{type(exc).__name__}: {message}")
        return text if len(text) <= limit else text[: limit - 1] + "…"
