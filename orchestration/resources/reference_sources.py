"""Live sources for the reference domains (CFTC, ETF flows, rates) as Dagster resources.

Each implements :class:`MarketSourceResource` so the landing assets in ``defs/raw_landing.py``
switch from the simulated market to the live source by binding a different resource, with no
code change. Parsing lives in ``orchestration/sources/reference/``; this module only fetches,
caches within a process, picks the rows of the requested day and turns network failures into
one clear message.

What ``fetch_day(day)`` returns:

- ``CftcSource``: by default the rows whose **report date** is ``day`` (positions as of that
  Tuesday), so each report lands in ``dt=<report_date>``, the same partition the one-command
  backfill writes, and a report released late (the 2025 backlog) fills its own partition
  whenever it is fetched. Empty on days without a report, and for a report not published yet:
  re-run the Tuesday partition after the Friday release (``overdue_report_dates`` lists the
  ones due). ``partition_by = "release_date"`` instead returns the reports released on
  ``day``.
- ``EtfFlowSource``: the flows of US trading day ``day`` for every ticker on the pages;
  empty on weekends and NYSE holidays; ``is_reported = False`` rows when the day is in the
  page's span but not reported yet.
- ``RatesSource``: the day's T-bill and staking rows, forward-filled and marked; the
  configured defaults (``source = 'default'``) when a source is unreachable.

Unreachable CFTC/Farside raise :class:`dagster.Failure` naming the source and URL, without the
chained urllib3 traceback, after one GET's attempt budget (``max_retries + 1`` requests,
``orchestration/lib/retry_policy.py``); the Failure bypasses the asset's step retry policy so
the attempts do not multiply. Each planned retry is a warning in the run log.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from datetime import date
from typing import TypeVar, cast

import dagster as dg
import pyarrow as pa

from orchestration.landing.raw_schemas import CFTC_TFF, DATASETS_BY_NAME, ETF_FLOWS, RATES
from orchestration.lib.calendars import is_us_trading_day
from orchestration.lib.retry_policy import RetryEvent
from orchestration.resources.market_source import MarketSourceResource
from orchestration.sources.reference import cftc, cftc_parse, etf_flows, rates
from orchestration.sources.reference.http import (
    BROWSER_USER_AGENT,
    DEFAULT_USER_AGENT,
    HttpFetcher,
    SourceHttpError,
    SourceUnavailableError,
)

T = TypeVar("T")
_CACHE: dict[tuple[object, ...], tuple[float, object]] = {}
_CACHE_LOCK = threading.Lock()


def _cached(key: tuple[object, ...], ttl_s: float, produce: Callable[[], T]) -> T:
    """Process-wide memo with a time limit: a partition range walks day by day and must not
    download the same yearly zip or page once per day."""
    now = time.monotonic()
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None and hit[0] > now:
            return cast(T, hit[1])
    value = produce()
    with _CACHE_LOCK:
        _CACHE[key] = (now + ttl_s, value)
    return value


def clear_cache() -> None:
    """Forget fetched files (tests; a long-lived process picking up a new release at once)."""
    with _CACHE_LOCK:
        _CACHE.clear()


def _failure(exc: SourceUnavailableError) -> dg.Failure:
    return dg.Failure(
        description=str(exc),
        metadata={"source": exc.source, "url": exc.url, "reason": exc.reason},
        # the GET already spent its attempt budget: a step retry would multiply the requests
        allow_retries=False,
    )


def _log_retry(event: RetryEvent) -> None:
    """Planned retries go to the run log, where users look."""
    dg.get_dagster_logger().warning(
        f"{event.name}: attempt {event.attempt} failed ({event.error}); "
        f"retrying in {event.wait_s:.1f} s"
    )


def _empty_others(requested: frozenset[str], served: str) -> dict[str, pa.Table]:
    return {n: DATASETS_BY_NAME[n].schema.empty_table() for n in requested if n != served}


class _HttpSettings(MarketSourceResource):
    """Network settings shared by the live reference sources."""

    timeout_s: float = 30.0
    max_retries: int = 3
    backoff_s: float = 2.0
    cache_ttl_s: float = 900.0

    def _fetcher(self, source: str, user_agent: str = DEFAULT_USER_AGENT) -> HttpFetcher:
        return HttpFetcher(
            source=source,
            timeout_s=self.timeout_s,
            max_retries=self.max_retries,
            backoff_s=self.backoff_s,
            user_agent=user_agent,
            on_retry=_log_retry,
        )


class CftcSource(_HttpSettings):
    """CFTC Traders in Financial Futures, futures only: yearly zip, then the weekly file.

    ``extra_contracts`` adds codes as ``CODE:BASE[:UNITS]`` (e.g. ``133LM4:BTC``).
    """

    history_url_template: str = cftc.HISTORY_URL
    weekly_url: str = cftc.WEEKLY_URL
    extra_contracts: list[str] = []
    partition_by: str = "report_date"  # or "release_date"
    timeout_s: float = 60.0
    user_agent: str = DEFAULT_USER_AGENT

    @property
    def source_label(self) -> str:
        return cftc.SOURCE

    def _table(self, url: str) -> pa.Table | None:
        """Parsed crypto rows of one file; None when the file does not exist (404)."""
        contracts = cftc.contracts_with_extra(self.extra_contracts)
        fetcher = self._fetcher(cftc.SOURCE, self.user_agent)

        def produce() -> pa.Table | None:
            try:
                payload = fetcher.get(url)
            except SourceHttpError as exc:
                if exc.status == 404:
                    return None
                raise
            text = (
                cftc_parse.read_zip_text(payload)
                if payload[:2] == b"PK"
                else payload.decode("utf-8", "replace")
            )
            return cftc.parse_tff(text, contracts).table

        key = ("cftc", url, tuple(sorted(self.extra_contracts)))
        return _cached(key, self.cache_ttl_s, produce)

    def report_rows(self, day: date) -> pa.Table:
        """Rows of the report dated ``day`` (yearly zip first, the weekly file as fallback)."""
        if day.weekday() >= 5:
            return CFTC_TFF.schema.empty_table()
        try:
            for url in (self.history_url_template.format(year=day.year), self.weekly_url):
                table = self._table(url)
                if table is not None:
                    rows = cftc.rows_for_report_date(table, day)
                    if rows.num_rows:
                        return rows
        except SourceUnavailableError as exc:
            raise _failure(exc) from None
        return CFTC_TFF.schema.empty_table()

    def released_rows(self, day: date) -> pa.Table:
        """Rows whose release date is ``day`` (a late burst can release several reports)."""
        if day.weekday() >= 5:
            return CFTC_TFF.schema.empty_table()
        years = [day.year - 1, day.year] if day.month <= 2 else [day.year]
        urls = [self.history_url_template.format(year=y) for y in years] + [self.weekly_url]
        try:
            tables = [t for t in (self._table(u) for u in urls) if t is not None]
        except SourceUnavailableError as exc:
            raise _failure(exc) from None
        if not tables:
            return CFTC_TFF.schema.empty_table()
        combined = cftc.dedupe_keep_last(pa.concat_tables(tables))
        mask = [d == day for d in combined.column("release_date").to_pylist()]
        return combined.filter(pa.array(mask, pa.bool_()))

    def fetch_day(self, day: date, datasets: frozenset[str]) -> Mapping[str, pa.Table]:
        if self.partition_by not in ("report_date", "release_date"):
            raise ValueError(
                f"CftcSource.partition_by={self.partition_by!r}: use report_date or release_date"
            )
        out = _empty_others(datasets, CFTC_TFF.name)
        if CFTC_TFF.name in datasets:
            by_release = self.partition_by == "release_date"
            out[CFTC_TFF.name] = self.released_rows(day) if by_release else self.report_rows(day)
        return out


class EtfFlowSource(_HttpSettings):
    """Farside daily flow tables for US spot BTC and ETH ETFs (US$ m per ticker).

    For a backfill point ``btc_url``/``eth_url`` at the ``*-etf-flow-all-data/`` pages; the
    default pages carry the recent weeks. Farside filters non-browser clients, hence the
    browser-like default user agent.
    """

    btc_url: str = etf_flows.FARSIDE_URLS["BTC"]
    eth_url: str = etf_flows.FARSIDE_URLS["ETH"]
    assets: list[str] = ["BTC", "ETH"]
    user_agent: str = BROWSER_USER_AGENT

    @property
    def source_label(self) -> str:
        return etf_flows.SOURCE_LIVE

    def page(self, asset: str) -> etf_flows.FlowParseResult:
        url = {"BTC": self.btc_url, "ETH": self.eth_url}[asset]
        fetcher = self._fetcher(etf_flows.SOURCE_LIVE, self.user_agent)

        def produce() -> etf_flows.FlowParseResult:
            html = fetcher.get(url).decode("utf-8", "replace")
            return etf_flows.parse_farside_html(html, asset)

        try:
            return _cached(("farside", url), self.cache_ttl_s, produce)
        except SourceUnavailableError as exc:
            raise _failure(exc) from None

    def flows_for_day(self, day: date) -> pa.Table:
        if not is_us_trading_day(day):
            return ETF_FLOWS.schema.empty_table()
        log = dg.get_dagster_logger()
        tables = []
        for asset in self.assets:
            parsed = self.page(asset)
            if day in parsed.flagged_dates:
                log.warning(
                    f"farside {asset} {day}: Total disagrees with the sum of tickers; "
                    "per-ticker values kept"
                )
            rows = etf_flows.rows_for_day(parsed.table, day)
            days = parsed.table.column("date").to_pylist()
            if rows.num_rows == 0 and days and day >= min(days):
                rows = _not_reported(day, asset, parsed.tickers)
            elif rows.num_rows == 0:
                log.warning(f"farside {asset}: {day} is older than the page; use the all-data URL")
            tables.append(rows)
        return pa.concat_tables(tables) if tables else ETF_FLOWS.schema.empty_table()

    def fetch_day(self, day: date, datasets: frozenset[str]) -> Mapping[str, pa.Table]:
        out = _empty_others(datasets, ETF_FLOWS.name)
        if ETF_FLOWS.name in datasets:
            out[ETF_FLOWS.name] = self.flows_for_day(day)
        return out


def _not_reported(day: date, asset: str, tickers: tuple[str, ...]) -> pa.Table:
    n = len(tickers)
    return pa.Table.from_pydict(
        {
            "source": [etf_flows.SOURCE_LIVE] * n,
            "date": [day] * n,
            "base_asset": [asset] * n,
            "ticker": list(tickers),
            "flow_usd_m": [None] * n,
            "is_reported": [False] * n,
        },
        schema=ETF_FLOWS.schema,
    )


class RatesSource(_HttpSettings):
    """FRED DTB3 (USD hurdle) and Lido's stETH APR (ETH staking yield), daily and filled.

    ``staking_url = ""`` uses the configured staking default without a request.
    """

    fred_url: str = rates.FRED_DTB3_URL
    staking_url: str = rates.LIDO_SMA_URL
    default_tbill_rate: float = rates.DEFAULT_TBILL_RATE
    default_staking_apr: float = rates.DEFAULT_STAKING_APR
    max_fill_days: int = rates.MAX_FILL_DAYS
    max_retries: int = 2

    @property
    def source_label(self) -> str:
        return f"{rates.SOURCE_FRED}+{rates.SOURCE_LIDO}"

    def _observations(
        self, source: str, url: str, parse: Callable[[bytes], list[rates.Observation]]
    ) -> list[rates.Observation] | None:
        """Parsed observations, or None (with a warning naming source and URL) when offline."""
        fetcher = self._fetcher(source)
        try:
            return _cached(("rates", url), self.cache_ttl_s, lambda: parse(fetcher.get(url)))
        except SourceUnavailableError as exc:
            dg.get_dagster_logger().warning(f"{exc} Using the configured default, marked.")
            return None
        except ValueError as exc:  # includes JSON decode errors: the format changed
            raise dg.Failure(
                description=f"{source} at {url} returned an unreadable payload: {exc}",
                metadata={"source": source, "url": url},
            ) from None

    def rates_for_day(self, day: date) -> pa.Table:
        tbill = self._observations(
            rates.SOURCE_FRED, self.fred_url, lambda b: rates.parse_fred_csv(b.decode("utf-8"))
        )
        staking = (
            self._observations(rates.SOURCE_LIDO, self.staking_url, rates.parse_lido_sma)
            if self.staking_url
            else None
        )
        return pa.concat_tables(
            [
                rates.daily_rates(
                    tbill or (),
                    [day],
                    series=rates.TBILL_SERIES,
                    source=rates.SOURCE_FRED,
                    default=self.default_tbill_rate,
                    max_fill_days=self.max_fill_days,
                ),
                rates.daily_rates(
                    staking or (),
                    [day],
                    series=rates.STAKING_SERIES,
                    source=rates.SOURCE_LIDO,
                    default=self.default_staking_apr,
                    max_fill_days=self.max_fill_days,
                ),
            ]
        )

    def fetch_day(self, day: date, datasets: frozenset[str]) -> Mapping[str, pa.Table]:
        out = _empty_others(datasets, RATES.name)
        if RATES.name in datasets:
            out[RATES.name] = self.rates_for_day(day)
        return out
