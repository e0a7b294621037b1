"""Building the synchronous ccxt client of a venue, with the guard rails ccxt lacks.

ccxt turns a truncated or empty HTTP 200 body into an empty result without raising (STACK.md):
the pagination then stops early and the caller never knows. The client class built here is the
venue's own ccxt class with two small overrides: a 2xx body that is not valid JSON raises
``ccxt.BadResponse`` (retryable, counted), and the last decoded payload and the request count
are kept so fetchers can compare what the venue sent with what ccxt's parser returned.

Tests and the benchmark point ``urls['api']`` at a loopback server (``api_url``) or mount a
transport adapter on an injected ``requests.Session``; ccxt's real request building, error
mapping and parsing run either way.
"""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import urlsplit

import ccxt
import requests

from orchestration.sources.live.config import VenueConfig


class _Guarded:
    """Mixin placed before the ccxt exchange class (see :func:`exchange_class`)."""

    pf_requests: int = 0
    pf_last_status: int | None = None
    pf_last_body: str | None = None
    pf_last_headers: Any = None
    pf_last_payload: Any = None

    def fetch(self, url: str, method: str = "GET", headers: dict | None = None,
              body: str | None = None) -> Any:
        self.pf_requests += 1
        self.pf_last_payload = None
        self.pf_last_status = self.pf_last_body = self.pf_last_headers = None
        return super().fetch(url, method, headers, body)  # type: ignore[misc]

    def on_rest_response(self, code: Any, reason: str, url: str, method: str,
                         response_headers: Any, response_body: str, request_headers: Any,
                         request_body: Any) -> str:
        # Kept for the retry decision, which reads the venue's own code and the HTTP status
        # (ccxt's exception class alone does not say whether a call is worth repeating).
        self.pf_last_status = int(code) if code is not None else None
        self.pf_last_body = response_body if isinstance(response_body, str) else None
        self.pf_last_headers = dict(response_headers) if response_headers else None
        return super().on_rest_response(  # type: ignore[misc]
            code, reason, url, method, response_headers, response_body, request_headers,
            request_body,
        )

    def parse_json(self, http_response: str) -> Any:
        parsed = super().parse_json(http_response)  # type: ignore[misc]
        status = self.pf_last_status or 200
        if parsed is None and 200 <= status < 300:
            text = (http_response or "").strip()
            what = "an empty body" if not text else f"malformed JSON ({len(text)} bytes)"
            raise ccxt.BadResponse(f"{self.id} returned {what}: {text[:80]!r}")  # type: ignore[attr-defined]
        self.pf_last_payload = parsed
        return parsed


@cache
def exchange_class(exchange_id: str) -> type[ccxt.Exchange]:
    """The venue's ccxt class with the :class:`_Guarded` overrides (one class per id)."""
    base = getattr(ccxt, exchange_id, None)
    if base is None:
        raise ValueError(f"ccxt has no exchange {exchange_id!r}")
    return type(f"Guarded{base.__name__}", (_Guarded, base), {})


def _rewrite(value: Any, base_url: str) -> Any:
    """Replace scheme and host of every API URL with ``base_url``, keeping the path."""
    if isinstance(value, dict):
        return {k: _rewrite(v, base_url) for k, v in value.items()}
    if isinstance(value, str) and "://" in value:
        path = urlsplit(value).path
        return base_url.rstrip("/") + path
    return value


def build_exchange(
    config: VenueConfig,
    *,
    api_url: str | None = None,
    session: requests.Session | None = None,
    timeout_ms: int | None = None,
    enable_rate_limit: bool = True,
) -> ccxt.Exchange:
    """A synchronous ccxt client for ``config`` (no network traffic until the first call).

    ``api_url`` re-points every REST base URL of the venue (tests: a loopback server);
    ``session`` replaces ccxt's ``requests.Session`` (tests: a mounted transport adapter).
    """
    settings: dict[str, Any] = {
        # ccxt's requests session ignores HTTPS_PROXY / HTTP_PROXY / NO_PROXY unless told
        # (its default is trust_env = False); a proxy must work without code.
        "requests_trust_env": True,
        "enableRateLimit": enable_rate_limit,
        "timeout": timeout_ms or config.timeout_ms,
        "options": {k: v for k, v in config.options.items()},
    }
    if config.disable_currencies:
        # Market data needs no currency list; one request less per venue and no dependency on
        # endpoints that some venues reserve for signed-in users.
        settings["has"] = {"fetchCurrencies": False}
    if session is not None:
        settings["session"] = session
    exchange = exchange_class(config.exchange_id)(settings)
    if api_url:
        exchange.urls["api"] = _rewrite(exchange.urls["api"], api_url)
    return exchange
