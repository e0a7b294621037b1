"""The live source without Dagster: venues, clients, windows in, tables and outcomes out.

:class:`LiveFetcher` keeps the ccxt clients of each venue (perp and, for Binance, spot) for
its lifetime (markets load once per process, not once per window) and fetches a window of whole
UTC days from every venue in parallel. The Dagster resource
(``orchestration/resources/live_market.py``) wraps it; tests and the benchmark drive it
directly.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import ccxt
import pyarrow as pa
import requests

from orchestration.landing.capabilities import EXCHANGE_DATASET_NAMES
from orchestration.landing.outcomes import NOT_AVAILABLE, DatasetOutcome
from orchestration.landing.raw_schemas import DATASETS_BY_NAME
from orchestration.sources.live.client import build_exchange
from orchestration.sources.live.config import VenueConfig, spot_config
from orchestration.sources.live.retry import RetryPolicy
from orchestration.sources.live.venue_fetch import (
    VenueClients,
    VenueResult,
    fetch_venues,
    tables_by_day,
)


@dataclass(frozen=True, slots=True)
class WindowResult:
    """One fetch: tables per day and dataset, the outcome record, unreachable venues.

    Attributes:
        tables: day -> dataset -> contract-shaped table (all venues merged).
        outcomes: one per (day, venue, exchange dataset).
        unreachable: venue -> reason, for venues whose market list could not be loaded.
        failed_venues: venue -> reason, for venues that produced nothing at all.
        requests: HTTP requests per venue.
    """

    tables: Mapping[date, Mapping[str, pa.Table]]
    outcomes: tuple[DatasetOutcome, ...]
    unreachable: Mapping[str, str] = field(default_factory=dict)
    failed_venues: Mapping[str, str] = field(default_factory=dict)
    requests: Mapping[str, int] = field(default_factory=dict)

    @property
    def all_failed(self) -> bool:
        """Every venue failed (and there was at least one)."""
        return bool(self.requests) and set(self.failed_venues) == set(self.requests)


class LiveFetcher:
    """Fetches windows of UTC days from the configured venues (thread-safe per call)."""

    def __init__(
        self,
        configs: Iterable[VenueConfig],
        *,
        api_urls: Mapping[str, str] | None = None,
        sessions: Mapping[str, requests.Session] | None = None,
        policy: RetryPolicy | None = None,
        incomplete_refetches: int = 1,
        enable_rate_limit: bool = True,
    ) -> None:
        self.configs = tuple(configs)
        self.api_urls = dict(api_urls or {})
        self.sessions = dict(sessions or {})
        self.policy = policy or RetryPolicy()
        self.incomplete_refetches = incomplete_refetches
        self.enable_rate_limit = enable_rate_limit
        self._clients: dict[str, VenueClients] = {}
        self._lock = threading.Lock()

    def _build(self, cfg: VenueConfig) -> ccxt.Exchange:
        return build_exchange(
            cfg, api_url=self.api_urls.get(cfg.venue), session=self.sessions.get(cfg.venue),
            enable_rate_limit=self.enable_rate_limit,
        )

    def clients(self) -> dict[str, VenueClients]:
        """The ccxt clients of each venue (perp and, where separate, spot), built on first
        use and reused. One base URL per venue serves both: paths are kept."""
        with self._lock:
            for cfg in self.configs:
                if cfg.venue not in self._clients:
                    spot = self._build(spot_config(cfg)) if cfg.spot_exchange_id else None
                    self._clients[cfg.venue] = VenueClients(cfg, self._build(cfg), spot)
            return dict(self._clients)

    def fetch(self, start: date, end: date, datasets: Iterable[str],
              venues: Iterable[str] | None = None) -> WindowResult:
        """Days ``[start, end)`` of the requested datasets from ``venues`` (default: all
        configured); non-exchange datasets come back empty with a ``not available`` outcome
        (the live source serves exchange data only)."""
        if end <= start:
            raise ValueError(f"empty window {start}..{end}")
        requested = list(dict.fromkeys(datasets))
        exchange = [d for d in requested if d in EXCHANGE_DATASET_NAMES]
        days = [start + timedelta(days=i) for i in range((end - start).days)]
        results: dict[str, VenueResult] = {}
        if exchange:
            clients = self.clients()
            if venues is not None:
                chosen = set(venues)
                clients = {v: c for v, c in clients.items() if v in chosen}
            results = fetch_venues(
                clients, start, end, exchange, policy=self.policy,
                incomplete_refetches=self.incomplete_refetches,
            )
        tables = tables_by_day(results.values(), days, exchange)
        outcomes = [o for r in results.values() for o in r.outcomes]
        for name in requested:
            if name in exchange:
                continue
            if name not in DATASETS_BY_NAME:
                raise KeyError(f"unknown dataset {name!r}")
            for day in days:
                tables[day][name] = DATASETS_BY_NAME[name].schema.empty_table()
                outcomes.append(DatasetOutcome(
                    day=day, venue="*", dataset=name, status=NOT_AVAILABLE,
                    message="the live exchange source does not serve this domain",
                ))
        failed = {
            v: (r.unreachable or "; ".join(
                dict.fromkeys(o.message for o in r.outcomes if o.message))[:300])
            for v, r in results.items() if r.failed_everything
        }
        return WindowResult(
            tables=tables,
            outcomes=tuple(outcomes),
            unreachable={v: r.unreachable for v, r in results.items() if r.unreachable},
            failed_venues=failed,
            requests={v: r.requests for v, r in results.items()},
        )
