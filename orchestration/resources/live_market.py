"""The live market source: Binance (USD-M and spot), Bybit, OKX, Deribit and Hyperliquid
through ccxt.

A drop-in for :class:`SimulatedMarketSource`, selected by configuration
(``PERP_FRAGILITY_SOURCE=live``). Behaviour the assets can rely on:

* it takes a window (:meth:`LiveMarketSource.fetch_window`): a range run reads each history
  endpoint in the venue's largest pages, ``window_days`` at a time (the landing engine,
  ``orchestration.sources.live.backfill``, lands every day and its outcome record separately);
* venues, symbols and API base URLs come from the fields below or, when unset, from
  ``orchestration.lib.universe`` (``PERP_FRAGILITY_VENUES`` / ``_SYMBOLS`` / ``_API_URLS``,
  which ``perp-fragility run --venues/--symbols/--api-url`` set): the same names in the CLI,
  the environment and the UI launchpad (``resources: market_source: config: ...``);
* one venue failing (down, slow, garbage) never stops the others: its rows are missing, its
  failure is logged and recorded in the outcome record (:meth:`last_outcomes`);
* when *every* venue fails (e.g. no network) it raises :class:`VenuesUnreachable`, a Dagster
  ``Failure`` that bypasses the step's retry policy and names each venue and why;
* with ``resume`` (a re-executed run) or ``refetch_incomplete`` every (day, venue, dataset)
  recorded ``ok`` is served from the landed files and every other one is fetched again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import Field, PrivateAttr

from orchestration.landing import landing
from orchestration.landing.capabilities import EXCHANGE_DATASET_NAMES
from orchestration.landing.outcomes import (
    NOT_AVAILABLE,
    OK,
    DatasetOutcome,
    outcomes_path,
    outcomes_table,
    read_outcomes,
    summarise,
)
from orchestration.landing.raw_schemas import DATASETS_BY_NAME
from orchestration.lib import settings, universe
from orchestration.resources.market_source import MarketSourceResource
from orchestration.sources.live.config import VenueConfig, narrowed, venue_configs
from orchestration.sources.live.retry import RetryPolicy
from orchestration.sources.live.source import LiveFetcher, WindowResult

log = dg.get_dagster_logger("live")

SOURCE_LABEL = "live"
FINAL_STATUSES = frozenset({OK, NOT_AVAILABLE})
"""Recorded outcomes a resume keeps: complete, or not published by the venue at all."""
LIVE_PART = "0"

Tables = dict[date, dict[str, pa.Table]]


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

    venues: list[str] | None = Field(
        default=None,
        description="Venues to fetch (seed names). Unset: PERP_FRAGILITY_VENUES, else all.",
    )
    symbols: list[str] | None = Field(
        default=None,
        description="ccxt unified symbols to fetch (perps and spot pairs). Unset: "
        "PERP_FRAGILITY_SYMBOLS, else the seed's ETH and BTC perps plus spot.",
    )
    api_urls: dict[str, str] = Field(
        default_factory=dict,
        description="venue -> base URL replacing the venue's API hosts, path layout kept (a "
        "mirror or recording proxy). Merged over PERP_FRAGILITY_API_URLS.",
    )
    window_days: int = Field(
        default=183,
        description="Days per fetch window in a range run: a crash loses at most one window; "
        "larger windows read history in fewer, fuller pages.",
    )
    timeout_ms: int = Field(default=10_000, description="Per-request timeout.")
    max_retries: int = Field(default=3, description="Retries of one request (bounded).")
    retry_base_delay_s: float = Field(default=0.5, description="First backoff; doubles.")
    max_retry_after_s: float = Field(
        default=60.0, description="Longest Retry-After honoured; longer waits fail the call."
    )
    max_request_wait_s: float = Field(
        default=60.0, description="Most seconds one request may spend waiting between attempts."
    )
    incomplete_refetches: int = Field(
        default=1, description="Refetches of a dataset whose window came back incomplete."
    )
    refetch_incomplete: bool = Field(
        default=False,
        description="Serve (day, venue, dataset) cells recorded ok from the landed files and "
        "refetch the others (partial, failed, never recorded). Re-executed runs do this anyway.",
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

    def configs(self) -> tuple[VenueConfig, ...]:
        """The venues and symbols this source fetches (fields first, then the environment)."""
        names = self.venues if self.venues is not None else universe.configured_venues()
        env = ({universe.SYMBOLS_ENV: ",".join(self.symbols)} if self.symbols is not None
               else None)
        universe.check_symbols(env)  # a typo would otherwise select nothing, silently
        return tuple(
            narrowed(c, frozenset(universe.configured_symbols(c.venue, env)))
            for c in venue_configs(list(names), timeout_ms=self.timeout_ms)
        )

    def served_symbols(self) -> dict[str, tuple[str, ...]]:
        """venue -> symbols fetched: the resource's venues/symbols fields, else the
        configuration (:meth:`configs`)."""
        return {c.venue: (*c.perps.values(), *c.spots.values()) for c in self.configs()}

    def base_urls(self) -> dict[str, str]:
        """venue -> API base URL override (the field wins over the environment)."""
        return {**universe.configured_api_urls(), **self.api_urls}

    def fetcher(self) -> LiveFetcher:
        """The underlying fetcher (one ccxt client per venue, reused across windows)."""
        if self._fetcher is None:
            policy = RetryPolicy(
                max_retries=self.max_retries,
                base_delay_s=self.retry_base_delay_s,
                max_retry_after_s=self.max_retry_after_s,
                max_total_s=self.max_request_wait_s,
            )
            self._fetcher = LiveFetcher(
                self.configs(),
                api_urls=self.base_urls(),
                policy=policy,
                incomplete_refetches=self.incomplete_refetches,
                enable_rate_limit=self.throttle,
            )
        return self._fetcher

    def days_per_window(self) -> int:
        return self.window_days

    def fetch_day(self, day: date, datasets: frozenset[str]) -> Mapping[str, pa.Table]:
        return self.fetch_window(day, day + timedelta(days=1), datasets)[day]

    def fetch_window(
        self, start: date, end: date, datasets: frozenset[str], *, resume: bool = False
    ) -> Tables:
        """Days ``[start, end)`` in one go per venue and dataset (history endpoints return
        many days per page). ``resume`` (or ``refetch_incomplete``): only what is not
        recorded ``ok`` is fetched, the rest is read back from the landed files."""
        if resume or self.refetch_incomplete:
            return self._heal(start, end, frozenset(datasets))
        result = self.fetcher().fetch(start, end, datasets)
        self._check(result)
        self._last = result.outcomes
        return {day: dict(tables) for day, tables in result.tables.items()}

    # ------------------------------------------------------------------ resume / heal

    def _partition_file(self, dataset: str, day: date) -> Path:
        root = (self._data_root() or settings.data_dir()) / "raw"
        return (landing.partition_dir(DATASETS_BY_NAME[dataset], day, root)
                / f"part-{LIVE_PART}.parquet")

    def _cells_to_fetch(self, days: list[date], datasets: frozenset[str]
                        ) -> dict[tuple[str, str], list[date]]:
        """(venue, dataset) -> days whose recorded outcome is not final (or is missing, or
        whose partition file is missing)."""
        venues = [c.venue for c in self.fetcher().configs]
        todo: dict[tuple[str, str], list[date]] = defaultdict(list)
        for day in days:
            has_record = outcomes_path(day, self._data_root()).exists()
            recorded = {(r["venue"], r["dataset"]): r["status"]
                        for r in read_outcomes(day, self._data_root())}
            for dataset in sorted(datasets & set(EXCHANGE_DATASET_NAMES)):
                file_ok = has_record and self._partition_file(dataset, day).exists()
                for venue in venues:
                    if not file_ok or recorded.get((venue, dataset)) not in FINAL_STATUSES:
                        todo[(venue, dataset)].append(day)
        return todo

    def _landed(self, dataset: str, day: date) -> pa.Table:
        path = self._partition_file(dataset, day)
        schema = DATASETS_BY_NAME[dataset].schema
        return pq.read_table(path, schema=schema) if path.exists() else schema.empty_table()

    def _heal(self, start: date, end: date, datasets: frozenset[str]) -> Tables:
        days = [start + timedelta(days=i) for i in range((end - start).days)]
        todo = self._cells_to_fetch(days, datasets)
        # One fetch per (dataset, run of days), from the venues that need exactly that run.
        calls: dict[tuple[str, date, date], list[str]] = defaultdict(list)
        for (venue, dataset), cell_days in todo.items():
            for first, stop in _runs(cell_days):
                calls[(dataset, first, stop)].append(venue)
        fetched: dict[tuple[str, date], tuple[set[str], pa.Table]] = {}
        outcomes: list[DatasetOutcome] = []
        failed: dict[str, str] = {}
        for (dataset, first, stop), venues in sorted(calls.items()):
            result = self.fetcher().fetch(first, stop, [dataset], venues=venues)
            failed.update(result.failed_venues)
            outcomes.extend(result.outcomes)
            for day, tables in result.tables.items():
                fetched[(dataset, day)] = (set(venues), tables[dataset])
        if calls and {venue for venue, _ in todo} <= set(failed):
            self._last = tuple(outcomes)  # every cell to heal failed: nothing reachable
            raise VenuesUnreachable(failed)
        for venue, reason in failed.items():
            log.warning(f"live source: {venue} returned nothing ({reason}); other cells landed")
        tables: Tables = {}
        for day in days:
            tables[day] = {}
            for dataset in sorted(datasets):
                schema = DATASETS_BY_NAME[dataset].schema
                if dataset not in EXCHANGE_DATASET_NAMES:
                    tables[day][dataset] = schema.empty_table()
                    continue
                landed = self._landed(dataset, day)
                if (dataset, day) not in fetched:
                    tables[day][dataset] = landed
                    continue
                venues, new = fetched[(dataset, day)]
                keep = [r for r in landed.to_pylist() if r["venue"] not in venues]
                tables[day][dataset] = pa.concat_tables(
                    [pa.Table.from_pylist(keep, schema=schema), new.cast(schema)])
        self._last = tuple(outcomes)
        return tables

    # ------------------------------------------------------------------ results

    def _check(self, result: WindowResult) -> None:
        if result.all_failed:
            self._last = result.outcomes
            raise VenuesUnreachable(result.failed_venues)
        for venue, reason in result.failed_venues.items():
            log.warning(f"live source: {venue} returned nothing ({reason}); other venues landed")

    def last_outcomes(self) -> list[DatasetOutcome]:
        """Outcome record of the last ``fetch_day``/``fetch_window`` call."""
        return list(self._last)

    def last_outcomes_table(self) -> pa.Table:
        return outcomes_table(self._last)

    def last_summary(self) -> dict[str, dict[str, str]]:
        """``{venue: {dataset: status[: message]}}``, worst status over the days (metadata)."""
        return summarise(self._last)


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Contiguous runs of days as ``[first, end)``."""
    runs: list[tuple[date, date]] = []
    for day in sorted(days):
        if runs and runs[-1][1] == day:
            runs[-1] = (runs[-1][0], day + timedelta(days=1))
        else:
            runs.append((day, day + timedelta(days=1)))
    return runs
