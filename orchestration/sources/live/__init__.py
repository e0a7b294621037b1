"""Live exchange ingestion through ccxt (Binance USD-M, Bybit, OKX, Deribit, Hyperliquid).

Public API (plain Python; the Dagster resource is ``orchestration.resources.live_market``):

* :class:`VenueConfig`, :func:`venue_configs`, :func:`default_venue_configs` - venues as config;
* :func:`build_exchange` - the guarded synchronous ccxt client of a venue;
* :func:`capabilities` - ``{venue: {dataset: 'available' | 'current only' |
  'not available on this venue' | 'not configured'}}`` from ccxt's ``has`` flags;
* :class:`LiveFetcher` / :class:`WindowResult` - fetch whole UTC days from every venue;
* :class:`DatasetOutcome`, :func:`outcomes_table` - the per-day, venue and dataset record;
* :func:`land_range` / :func:`backfill` - the one landing engine: windows fetched, every day
  landed and recorded separately, resume refetching what is not ``ok``;
* :class:`RetryPolicy` / :func:`call_with_retry` - bounded retries honouring Retry-After.

The loopback emulation used by tests and the benchmark lives in ``tests/support/``
(``venue_loopback`` / ``venue_emulator``): the installed package never reads ``tests/``.
"""

from orchestration.landing.capabilities import (
    AVAILABLE,
    CURRENT_ONLY,
    NOT_AVAILABLE,
    NOT_CONFIGURED,
    capabilities,
    dataset_capability,
)
from orchestration.landing.outcomes import (
    DatasetOutcome,
    outcomes_table,
    read_outcomes,
    summarise,
    write_outcomes,
)
from orchestration.sources.live.backfill import BackfillReport, backfill, land_range, windows
from orchestration.sources.live.client import build_exchange
from orchestration.sources.live.config import (
    RateLimitRule,
    VenueConfig,
    default_venue_configs,
    venue_configs,
)
from orchestration.sources.live.retry import RetryPolicy, RetryStats, call_with_retry
from orchestration.sources.live.source import LiveFetcher, WindowResult

__all__ = [
    "AVAILABLE",
    "CURRENT_ONLY",
    "NOT_AVAILABLE",
    "NOT_CONFIGURED",
    "BackfillReport",
    "DatasetOutcome",
    "LiveFetcher",
    "RateLimitRule",
    "RetryPolicy",
    "RetryStats",
    "VenueConfig",
    "WindowResult",
    "backfill",
    "build_exchange",
    "call_with_retry",
    "capabilities",
    "dataset_capability",
    "default_venue_configs",
    "land_range",
    "outcomes_table",
    "read_outcomes",
    "summarise",
    "venue_configs",
    "windows",
    "write_outcomes",
]
