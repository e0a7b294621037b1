"""The live market source: Binance USD-M, Bybit, OKX, Deribit and Hyperliquid through ccxt.

A drop-in for :class:`SimulatedMarketSource` (same ``fetch_day``), selected by configuration
(``PERP_FRAGILITY_SOURCE=live``). Behaviour the assets can rely on:

* one venue failing (down, slow, garbage) never stops the others: its rows are missing, its
  failure is logged and recorded in the outcome record;
* the outcome record of the last call is available from :meth:`LiveMarketSource.last_outcomes`
  (one :class:`DatasetOutcome` per day, venue and dataset; ``last_outcomes_table()`` as Arrow,
  ``last_summary()`` for metadata) and, with ``record_outcomes``, written next to the raw data
  (``raw/exchange/_live_outcomes/dt=.../part-live.parquet``);
* when *every* venue fails (e.g. no network) it raises :class:`VenuesUnreachable`, a Dagster
  ``Failure`` that bypasses the step's retry policy and names each venue and why, instead of
  a traceback per venue;
* with ``skip_finished_days`` a day whose outcome record and partitions exist (and had no
  failed venue) is served from the landed files instead of the network (resumable backfills).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import pyarrow as pa
from pydantic import Field, PrivateAttr

from orchestration.lib.live.backfill import day_is_finished, read_landed_day
from orchestration.lib.live.config import venue_configs
from orchestration.lib.live.outcomes import (
    DatasetOutcome,
    outcomes_table,
    summarise,
    write_outcomes,
)
from orchestration.lib.live.retry import RetryPolicy
from orchestration.lib.live.source import LiveFetcher, WindowResult
from orchestration.lib.venues import venues as seed_venues
from orchestration.resources.market_source import MarketSourceResource

log = dg.get_dagster_logger("live")

SOURCE_LABEL = "live"


class VenuesUnreachable(dg.Failure):
    """Every configured venue failed; nothing was fetched.

    Attributes:
        reasons: venue -> why it failed (first line of the error).
    """

    def __init__(self, reasons: Mapping[str, str]) -> None:
        self.reasons = dict(reasons)
        names = ", ".join(sorted(self.reasons))
        detail = "; ".join(f"{v}: {r}" for v, r in sorted(self.reasons.items()))
        super().__init__(
            description=(
                f"all {len(self.reasons)} venue(s) unreachable ({names}); no live data fetched. "
                f"{detail}"
            ),
            metadata={"unreachable_venues": sorted(self.reasons)},
            allow_retries=False,
        )

    @property
    def venues(self) -> list[str]:
        return sorted(self.reasons)

    def __str__(self) -> str:
        return self.description or ""


class LiveMarketSource(MarketSourceResource):
    """Exchange data from the venues' public REST APIs via ccxt (see docs/live-sources.md)."""

    venues: list[str] = Field(
        default_factory=lambda: list(seed_venues()),
        description="Venues to fetch (names from the venue seed); default: all of them.",
    )
    timeout_ms: int = Field(default=10_000, description="Per-request timeout.")
    max_retries: int = Field(default=3, description="Retries of one request (bounded).")
    retry_base_delay_s: float = Field(default=0.5, description="First backoff; doubles.")
    max_retry_after_s: float = Field(
        default=60.0, description="Longest Retry-After honoured; longer waits fail the call."
    )
    incomplete_refetches: int = Field(
        default=1, description="Refetches of a dataset whose day came back incomplete."
    )
    api_url_overrides: dict[str, str] = Field(
        default_factory=dict,
        description="venue -> base URL replacing the venue's REST hosts (tests: loopback).",
    )
    record_outcomes: bool = Field(
        default=True, description="Write the outcome record under raw/exchange/_live_outcomes."
    )
    skip_finished_days: bool = Field(
        default=False, description="Serve finished days from landed files (resume)."
    )
    throttle: bool = Field(
        default=True,
        description="ccxt's client-side rate limiting (enableRateLimit); turn off only "
        "against the loopback emulation in tests.",
    )
    data_dir: str | None = Field(
        default=None, description="Data directory (default: PERP_FRAGILITY_DATA_DIR)."
    )

    _fetcher: LiveFetcher | None = PrivateAttr(default=None)
    _last: tuple[DatasetOutcome, ...] = PrivateAttr(default=())

    @property
    def source_label(self) -> str:
        return SOURCE_LABEL

    def _data_root(self) -> Path | None:
        return Path(self.data_dir) if self.data_dir else None

    def fetcher(self) -> LiveFetcher:
        """The underlying fetcher (one ccxt client per venue, reused across days)."""
        if self._fetcher is None:
            policy = RetryPolicy(
                max_retries=self.max_retries,
                base_delay_s=self.retry_base_delay_s,
                max_retry_after_s=self.max_retry_after_s,
            )
            self._fetcher = LiveFetcher(
                venue_configs(self.venues, timeout_ms=self.timeout_ms),
                api_urls=self.api_url_overrides,
                policy=policy,
                incomplete_refetches=self.incomplete_refetches,
                enable_rate_limit=self.throttle,
            )
        return self._fetcher

    def fetch_day(self, day: date, datasets: frozenset[str]) -> Mapping[str, pa.Table]:
        return self.fetch_days(day, day + timedelta(days=1), datasets)[day]

    def fetch_days(
        self, start: date, end: date, datasets: frozenset[str]
    ) -> dict[date, dict[str, pa.Table]]:
        """Days ``[start, end)`` in one go (fewer requests than day by day: history endpoints
        return many days per page)."""
        days = [start + timedelta(days=i) for i in range((end - start).days)]
        served: dict[date, dict[str, pa.Table]] = {}
        if self.skip_finished_days:
            for day in days:
                if day_is_finished(day, datasets, self._data_root()):
                    served[day] = read_landed_day(day, datasets, self._data_root())
        todo = [d for d in days if d not in served]
        outcomes: list[DatasetOutcome] = []
        for first, last in _runs(todo):
            result = self.fetcher().fetch(first, last + timedelta(days=1), datasets)
            self._check(result)
            outcomes.extend(result.outcomes)
            for day, tables in result.tables.items():
                served[day] = dict(tables)
                venue_outcomes = [o for o in result.outcomes if o.venue != "*"]
                if self.record_outcomes and venue_outcomes:
                    write_outcomes(day, venue_outcomes, self._data_root())
        self._last = tuple(outcomes)
        return {day: served[day] for day in days}

    def _check(self, result: WindowResult) -> None:
        if result.all_failed:
            self._last = result.outcomes
            raise VenuesUnreachable(result.failed_venues)
        for venue, reason in result.failed_venues.items():
            log.warning("live source: %s returned nothing (%s); other venues landed", venue,
                        reason)

    def last_outcomes(self) -> list[DatasetOutcome]:
        """Outcome record of the last ``fetch_day``/``fetch_days`` call."""
        return list(self._last)

    def last_outcomes_table(self) -> pa.Table:
        return outcomes_table(self._last)

    def last_summary(self) -> dict[str, dict[str, str]]:
        """``{venue: {dataset: status[: message]}}``, worst status over the days (metadata)."""
        return summarise(self._last)


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Contiguous runs of days as (first, last)."""
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs
