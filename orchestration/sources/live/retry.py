"""Retry a venue call by what the venue said, on ``stamina``, within one bounded budget.

ccxt's exception classes do not say whether a call is worth repeating: it maps Bybit's
HTTP 500 ``retCode 10016`` ("server error") to ``ExchangeError``, a class it also uses for
permanent refusals, and Binance's ``-1001`` ("internal error") likewise. So the decision is
made from the reply itself, in this order:

1. the venue's own error code in the body (:data:`VENUE_CODES`: ``retry``, ``rate limit`` or
   ``permanent``);
2. the HTTP status (:data:`HTTP_STATUSES`: 429/418 rate limit, 408 and 5xx retry - gateway
   HTML pages included -, every other 4xx permanent);
3. with no HTTP reply at all (DNS, refused connection, timeout) or a 2xx body that is not
   valid JSON (``ccxt.BadResponse`` from the guarded client): retry; anything else (a bad
   symbol, a method the venue lacks, a code this table does not know on a 2xx) is permanent.

Budget, per request (one ccxt call): at most ``1 + max_retries`` attempts (default 4) and at
most ``max_total_s`` seconds of waiting (default 60 s). Backoff ``base_delay_s * 2**n``
(+-``jitter``, capped at ``max_delay_s``); a rate-limit reply waits what the venue asked
(``Retry-After`` seconds or HTTP date, Bybit's ``X-Bapi-Limit-Reset-Timestamp``), never less
than the backoff or ``rate_limit_floor_s``, and gives up at once when the venue asks for more
than ``max_retry_after_s`` (retrying early earns Binance's 418 IP ban). The waiting itself is
stamina's, through the shared ``lib/retry_policy.call_with_retry`` (one loop for venues,
reference HTTP and delivery; ``stamina.set_testing`` removes the waits in tests).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import ccxt

from orchestration.lib import retry_policy as shared
from orchestration.lib.retry_policy import retry_after_seconds

T = TypeVar("T")

RETRY = "retry"
RATE_LIMIT = "rate limit"
PERMANENT = "permanent"

VENUE_CODES: Mapping[str, Mapping[str, tuple[str, str]]] = {
    "binance": {
        "-1000": (RETRY, "unknown error while processing the request"),
        "-1001": (RETRY, "internal error; unable to process your request"),
        "-1003": (RATE_LIMIT, "too many requests"),
        "-1006": (RETRY, "unexpected response from the message bus"),
        "-1007": (RETRY, "timeout waiting for response from backend server"),
        "-1008": (RETRY, "server is currently overloaded"),
        "-1015": (RATE_LIMIT, "too many new orders"),
        "-1100": (PERMANENT, "illegal characters in a parameter"),
        "-1102": (PERMANENT, "mandatory parameter missing"),
        "-1121": (PERMANENT, "invalid symbol"),
        "-1130": (PERMANENT, "invalid data sent for a parameter"),
    },
    "bybit": {
        "10000": (RETRY, "server timeout"),
        "10001": (PERMANENT, "parameter error"),
        "10006": (RATE_LIMIT, "too many visits (rate limit, sent as HTTP 200)"),
        "10016": (RETRY, "server error / service unavailable"),
        "10018": (RATE_LIMIT, "IP rate limit exceeded"),
        "10429": (RATE_LIMIT, "system frequency protection"),
        "110001": (PERMANENT, "order does not exist"),
    },
    "okx": {
        "50001": (RETRY, "service temporarily unavailable"),
        "50004": (RETRY, "endpoint request timeout"),
        "50011": (RATE_LIMIT, "rate limit reached"),
        "50013": (RETRY, "systems are busy"),
        "50026": (RETRY, "system error, try again later"),
        "50061": (RATE_LIMIT, "sub-account rate limit"),
        "51000": (PERMANENT, "parameter error"),
        "51001": (PERMANENT, "instrument ID does not exist"),
    },
    "deribit": {
        "10028": (RATE_LIMIT, "too_many_requests"),
        "10040": (RETRY, "retry: request cannot be processed right now"),
        "10041": (RETRY, "settlement_in_progress"),
        "10047": (RETRY, "matching_engine_queue_full"),
        "13028": (RETRY, "temporarily_unavailable"),
        "11029": (PERMANENT, "invalid_arguments"),
        "13020": (PERMANENT, "not_found"),
        "-32601": (PERMANENT, "method not found"),
        "-32602": (PERMANENT, "invalid params"),
    },
    # Hyperliquid's public ``info`` endpoint answers errors by HTTP status only (429 when
    # rate-limited, 422 for a body it cannot deserialise, 5xx behind its gateway).
    "hyperliquid": {},
}
"""venue -> error code in the reply body -> (verdict, what the venue documents it means)."""

HTTP_STATUSES: Mapping[int, tuple[str, str]] = {
    408: (RETRY, "request timeout"),
    418: (RATE_LIMIT, "IP banned for ignoring 429s (Binance): honour Retry-After"),
    429: (RATE_LIMIT, "too many requests"),
    500: (RETRY, "internal server error"),
    502: (RETRY, "bad gateway (often an HTML page from the CDN)"),
    503: (RETRY, "service unavailable (often an HTML page from the CDN)"),
    504: (RETRY, "gateway timeout (often an HTML page from the CDN)"),
}
"""HTTP status -> verdict when the body carries no known venue code. Other 5xx: retry;
other 4xx (400 bad request, 403 WAF block, 404, 422): permanent."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """What to do about one failed call, and why (kept in the outcome's error text)."""

    action: str
    reason: str

    @property
    def retry(self) -> bool:
        return self.action in (RETRY, RATE_LIMIT)


def _body_code(venue: str, body: str | None) -> str | None:
    """The venue's error code in a reply body (Binance ``code``, Bybit ``retCode``, OKX
    ``code``, Deribit ``error.code``); None when absent, zero (success) or not JSON."""
    if not body or not body.lstrip().startswith("{"):
        return None
    try:
        payload = json.loads(body)
    except ValueError:
        return None
    if not isinstance(payload, dict):
        return None
    error = payload.get("error")
    candidates = [payload.get("retCode"), payload.get("code"),
                  error.get("code") if isinstance(error, dict) else None]
    for value in candidates:
        if value is not None and str(value) not in ("0", "", "200"):
            return str(value)
    return None


def classify(
    venue: str, error: BaseException, status: int | None = None, body: str | None = None
) -> Verdict:
    """Retry or not, from the venue code in ``body``, then ``status``, then ``error``."""
    code = _body_code(venue, body)
    known = VENUE_CODES.get(venue, {})
    if code is not None and code in known:
        action, meaning = known[code]
        return Verdict(action, f"{venue} code {code} ({meaning})")
    if status is not None and not 200 <= status < 300:
        if status in HTTP_STATUSES:
            action, meaning = HTTP_STATUSES[status]
            return Verdict(action, f"HTTP {status} ({meaning})")
        if status >= 500:
            return Verdict(RETRY, f"HTTP {status} (server error)")
        return Verdict(PERMANENT, f"HTTP {status} (client error)"
                       + (f", {venue} code {code}" if code else ""))
    if status is None and isinstance(error, ccxt.NetworkError):
        return Verdict(RETRY, f"no reply ({type(error).__name__})")
    if isinstance(error, ccxt.BadResponse | ccxt.NullResponse):
        return Verdict(RETRY, "malformed or empty 2xx body")
    if code is not None:
        return Verdict(PERMANENT, f"{venue} code {code} (not in the retry table)")
    return Verdict(PERMANENT, type(error).__name__)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """The budget of one venue request.

    Attributes:
        max_retries: retries after the first attempt (0 = try once); attempts = 1 + this.
        base_delay_s: backoff of the first retry (doubles).
        max_delay_s: cap of one backoff wait.
        jitter: relative jitter, 0.5 = wait x uniform(0.5, 1.5).
        rate_limit_floor_s: minimum wait after a rate-limit reply without ``Retry-After``.
        max_retry_after_s: longest ``Retry-After`` honoured; longer ones fail the call.
        max_total_s: most seconds one request may spend waiting between its attempts.
    """

    max_retries: int = 3
    base_delay_s: float = 0.5
    max_delay_s: float = 8.0
    jitter: float = 0.5
    rate_limit_floor_s: float = 1.0
    max_retry_after_s: float = 60.0
    max_total_s: float = 60.0

    @property
    def attempts(self) -> int:
        return 1 + max(0, self.max_retries)

    def budget(self) -> shared.AttemptBudget:
        """The shared policy's budget of one request (``lib/retry_policy.py``)."""
        return shared.AttemptBudget(
            attempts=self.attempts, wait_initial_s=self.base_delay_s,
            wait_max_s=self.max_delay_s, jitter=self.jitter,
            max_retry_after_s=self.max_retry_after_s, max_wait_total_s=self.max_total_s,
        )

    def backoff(self, retry: int, rng: random.Random) -> float:
        return self.budget().backoff(retry, rng)


@dataclass(slots=True)
class RetryStats:
    """What retrying cost, accumulated over calls (kept per venue and fetch)."""

    attempts: int = 0
    retries: int = 0
    waits_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def waited_s(self) -> float:
        return sum(self.waits_s)


class RetryAfterTooLong(ccxt.RateLimitExceeded):
    """The venue asked us to wait longer than the policy allows."""


def _reply_of(exchange: Any) -> tuple[int | None, str | None, Mapping[str, str] | None]:
    """Status, body and headers of the exchange's last reply (None when there was none)."""
    if exchange is None:
        return None, None, None
    return (getattr(exchange, "pf_last_status", None), getattr(exchange, "pf_last_body", None),
            getattr(exchange, "pf_last_headers", None)
            or getattr(exchange, "last_response_headers", None))


def _forget_reply(exchange: Any) -> None:
    """Clear the last reply before an attempt, so an error raised before any request (a
    client-side check) is not judged by a previous call's status."""
    if exchange is not None and hasattr(exchange, "pf_last_status"):
        exchange.pf_last_status = None
        exchange.pf_last_body = None
        exchange.pf_last_headers = None


def call_with_retry(
    fn: Callable[[], T],
    *,
    policy: RetryPolicy,
    venue: str = "",
    exchange: Any = None,
    stats: RetryStats | None = None,
    rng: random.Random | None = None,
    describe: str = "",
) -> T:
    """Run ``fn`` (one venue request) within the policy's budget, through the shared
    :func:`orchestration.lib.retry_policy.call_with_retry` (stamina) with this module's
    classifier; the last error is raised when the venue's answer is permanent or the budget
    is spent."""
    stats = stats if stats is not None else RetryStats()

    def judge(error: Exception) -> shared.Verdict:
        status, body, headers = _reply_of(exchange)
        verdict = classify(venue, error, status, body)
        stats.errors.append(f"{type(error).__name__} [{verdict.action}: {verdict.reason}]: "
                            f"{str(error)[:160]}")
        if not verdict.retry:
            return False
        if verdict.action == RATE_LIMIT:
            asked = retry_after_seconds(headers)
            return asked if asked is not None else policy.rate_limit_floor_s
        return True

    def retried(event: shared.RetryEvent) -> None:
        stats.retries += 1
        stats.waits_s.append(event.wait_s)

    def attempt() -> T:
        stats.attempts += 1
        _forget_reply(exchange)
        return fn()

    try:
        return shared.call_with_retry(
            attempt, budget=policy.budget(), classify=judge, name=describe or "call",
            on_retry=retried, rng=rng,
        )
    except shared.RetryAfterTooLong as exc:
        raise RetryAfterTooLong(
            f"{describe or 'call'}: venue asked to wait {exc.asked_s:.0f} s "
            f"(Retry-After), more than the {exc.allowed_s:.0f} s allowed"
        ) from exc.__cause__
