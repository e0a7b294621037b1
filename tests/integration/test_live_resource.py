"""The Dagster resource: drop-in for the simulated source, partial failure explicit, idempotent
days, resumable backfills, and a clear, fast failure when no venue is reachable."""

from __future__ import annotations

import socket
import time
from datetime import UTC, date, datetime, timedelta

import dagster as dg
import pytest

from orchestration.landing import landing
from orchestration.landing.raw_schemas import DATASETS_BY_NAME, EXCHANGE_DATASETS
from orchestration.resources.live_market import LiveMarketSource, VenuesUnreachable
from orchestration.sources.live import backfill, read_outcomes
from tests.support.venue_emulator import HOUR
from tests.support.venue_loopback import Fault, LoopbackServer, map_records

DAY = date(2026, 11, 16)
CLOCK = int(datetime(2026, 11, 16, 13, tzinfo=UTC).timestamp() * 1000)
EXCHANGE = frozenset(d.name for d in EXCHANGE_DATASETS)


def _source(server: LoopbackServer, tmp_path, **kw) -> LiveMarketSource:
    return LiveMarketSource(
        venues=list(server.emulators),
        api_urls=server.urls(),
        timeout_ms=3000,
        max_retries=1,
        retry_base_delay_s=0.01,
        data_dir=str(tmp_path),
        throttle=False,
        **kw,
    )


def test_fetch_day_returns_every_requested_table_and_the_outcome_record(tmp_path) -> None:
    with LoopbackServer(["binance", "okx"], clock_ms=CLOCK) as server:
        server.down.add("okx")
        source = _source(server, tmp_path)
        tables = source.fetch_day(DAY, frozenset({"funding_rates", "rates"}))
    assert source.source_label == "live"
    assert set(tables) == {"funding_rates", "rates"}
    assert tables["rates"].num_rows == 0  # not served by the live exchange source
    assert tables["funding_rates"].schema == DATASETS_BY_NAME["funding_rates"].schema
    assert {r["venue"] for r in tables["funding_rates"].to_pylist()} == {"binance"}
    summary = source.last_summary()
    assert summary["binance"]["funding_rates"] == "ok"
    assert summary["okx"]["funding_rates"].startswith("failed: venue unreachable")
    assert summary["*"]["rates"].startswith("not available")
    assert source.last_outcomes_table().num_rows == 3
    assert read_outcomes(DAY, tmp_path) == []  # recorded by the engine, after landing


def test_all_venues_down_raises_venues_unreachable_without_retries(tmp_path) -> None:
    with LoopbackServer(["binance", "bybit"], clock_ms=CLOCK) as server:
        server.down.update({"binance", "bybit"})
        source = _source(server, tmp_path)
        with pytest.raises(VenuesUnreachable) as raised:
            source.fetch_day(DAY, frozenset({"funding_rates"}))
    assert raised.value.venues == ["binance", "bybit"]
    assert raised.value.allow_retries is False  # the step's retry policy must not loop on it
    assert "all 2 venue(s) unreachable (binance, bybit)" in str(raised.value)


def test_offline_real_clients_fail_fast_naming_every_venue(tmp_path, monkeypatch) -> None:
    """The real clients, real hosts, no loopback, on a machine without network. Name
    resolution is made to fail here (as it does offline) so the test stays hermetic on a
    connected machine too: no packet leaves 127.0.0.1."""
    real_getaddrinfo = socket.getaddrinfo

    def offline(host, *args, **kwargs):
        if host in ("127.0.0.1", "localhost", "::1"):
            return real_getaddrinfo(host, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", offline)
    source = LiveMarketSource(
        timeout_ms=1500,
        max_retries=1,
        retry_base_delay_s=0.05,
        data_dir=str(tmp_path),
    )
    started = time.monotonic()
    with pytest.raises(VenuesUnreachable) as raised:
        source.fetch_day(DAY, EXCHANGE)
    assert time.monotonic() - started < 30
    assert raised.value.venues == ["binance", "bybit", "deribit", "hyperliquid", "okx"]
    assert "fapi.binance.com" in raised.value.reasons["binance"]
    assert "Name or service not known" in raised.value.reasons["okx"]


def test_a_day_fetched_twice_lands_identical_bytes(tmp_path) -> None:
    with LoopbackServer(clock_ms=CLOCK) as server:
        source = _source(server, tmp_path)
        contents = []
        for _ in range(2):
            tables = source.fetch_day(DAY, EXCHANGE)
            results = [
                landing.land_partition(DATASETS_BY_NAME[n], DAY, tables[n], data_root=tmp_path)
                for n in sorted(EXCHANGE)
            ]
            contents.append(
                {r.path.name + r.path.parent.parent.name: r.path.read_bytes() for r in results}
            )
    assert contents[0] == contents[1]
    assert all(len(v) > 0 for v in contents[0].values())


class _Crashing:
    """Wraps a source; dies (like a killed process) after ``calls`` windows."""

    def __init__(self, source: LiveMarketSource, calls: int) -> None:
        self.source, self.calls = source, calls

    def fetch_window(self, start, end, datasets, *, resume=False):
        if self.calls == 0:
            raise KeyboardInterrupt("simulated crash")
        self.calls -= 1
        return self.source.fetch_window(start, end, datasets, resume=resume)

    def last_outcomes(self):
        return self.source.last_outcomes()

    def days_per_window(self) -> int:
        return self.source.days_per_window()


def _funding_requests_per_day(server: LoopbackServer, path="/fapi/v1/fundingRate"
                              ) -> dict[date, int]:
    counts: dict[date, int] = {}
    for r in server.requests:
        if r.path == path:
            day = datetime.fromtimestamp(int(r.params["startTime"]) / 1000, UTC).date()
            counts[day] = counts.get(day, 0) + 1
    return counts


def _statuses(day: date, tmp_path) -> dict[tuple[str, str], str]:
    return {(o["venue"], o["dataset"]): o["status"] for o in read_outcomes(day, tmp_path)}


def test_backfill_resumes_after_a_crash_without_refetching_finished_days(tmp_path) -> None:
    start, end = date(2026, 11, 1), date(2026, 11, 7)
    datasets = {"funding_rates", "open_interest"}
    with LoopbackServer(["binance"], clock_ms=CLOCK) as server:
        source = _source(server, tmp_path)
        with pytest.raises(KeyboardInterrupt):
            backfill(_Crashing(source, calls=3), start, end, datasets, data_root=tmp_path,
                     window_days=1)
        first = _funding_requests_per_day(server)
        assert sorted(first) == [date(2026, 11, d) for d in (1, 2, 3)]
        assert [bool(read_outcomes(start + timedelta(days=i), tmp_path)) for i in range(6)] == [
            True] * 3 + [False] * 3  # a crash loses at most the window in flight

        server.requests.clear()
        report = backfill(source, start, end, datasets, data_root=tmp_path, window_days=2)
        # windows 1-2 (served from files), 3-4 (day 4 fetched alone), 5-6 (fetched together)
        assert sorted(_funding_requests_per_day(server)) == [date(2026, 11, 4),
                                                             date(2026, 11, 5)]
        assert report.days == tuple(start + timedelta(days=i) for i in range(6))
        assert report.rows["funding_rates"] == 6 * 3 * 2

        server.requests.clear()
        backfill(source, start, end, datasets, data_root=tmp_path)
        assert server.count() == 0  # everything ok: nothing fetched

        backfill(source, start, end, datasets, data_root=tmp_path, force=True)
        assert server.count("binance", "fundingRate") == 2  # one 6-day window, 2 symbols


def test_resume_heals_a_partial_day_refetching_only_that_venue_and_dataset(tmp_path) -> None:
    """A day whose Bybit funding came back partial (a settlement missing) is fetched again on
    resume, for Bybit funding only, and lands complete; ok cells are not refetched."""
    datasets = {"funding_rates", "ohlcv_daily"}
    days = (DAY, DAY + timedelta(days=2))
    partial_day = DAY + timedelta(days=1)  # Bybit pages newest first: its 16:00 is dropped
    drop_first = map_records(lambda records: records[1:])
    with LoopbackServer(["binance", "bybit"], clock_ms=CLOCK) as server:
        server.add_fault(Fault("bybit", "funding/history", kind="transform",
                               transform=drop_first, times=None))
        source = _source(server, tmp_path, incomplete_refetches=0)
        backfill(source, *days, datasets, data_root=tmp_path, force=True)
        assert _statuses(partial_day, tmp_path)[("bybit", "funding_rates")] == "partial"
        assert _statuses(partial_day, tmp_path)[("binance", "funding_rates")] == "ok"
        assert set(_statuses(DAY, tmp_path).values()) == {"ok"}
        partial_rows = landing.read_dataset(DATASETS_BY_NAME["funding_rates"], tmp_path)

        server.faults.clear()
        server.requests.clear()
        backfill(source, *days, datasets, data_root=tmp_path)
        assert {(r.venue, r.path) for r in server.requests} == {
            ("bybit", "/v5/market/funding/history")}
        refetched = {datetime.fromtimestamp(int(r.params["endTime"]) / 1000, UTC).date()
                     for r in server.requests}
        assert refetched == {partial_day}
    statuses = _statuses(partial_day, tmp_path)
    assert statuses[("bybit", "funding_rates")] == "ok"
    assert set(statuses.values()) == {"ok"}
    healed = landing.read_dataset(DATASETS_BY_NAME["funding_rates"], tmp_path)
    assert healed.num_rows > partial_rows.num_rows
    per_venue = {v: healed.column("venue").to_pylist().count(v) for v in ("binance", "bybit")}
    assert per_venue == {"binance": 2 * 3 * 2, "bybit": 2 * 3 * 2}


def test_a_day_with_a_failed_venue_is_fetched_again_on_resume(tmp_path) -> None:
    datasets = {"funding_rates"}
    with LoopbackServer(["binance", "okx"], clock_ms=CLOCK) as server:
        source = _source(server, tmp_path)
        server.down.add("okx")
        backfill(source, DAY, DAY + timedelta(days=1), datasets, data_root=tmp_path)
        assert _statuses(DAY, tmp_path)[("okx", "funding_rates")] == "failed"
        server.down.clear()
        server.requests.clear()
        backfill(source, DAY, DAY + timedelta(days=1), datasets, data_root=tmp_path)
        assert {r.venue for r in server.requests} == {"okx"}
    assert set(_statuses(DAY, tmp_path).values()) == {"ok"}


def test_refetch_incomplete_serves_landed_rows(tmp_path) -> None:
    datasets = frozenset({"funding_rates"})
    with LoopbackServer(["bybit"], clock_ms=CLOCK) as server:
        backfill(_source(server, tmp_path), DAY, DAY + timedelta(days=1), datasets,
                 data_root=tmp_path)
        server.requests.clear()
        resuming = _source(server, tmp_path, refetch_incomplete=True)
        tables = resuming.fetch_day(DAY, datasets)
        assert server.count() == 0
    assert tables["funding_rates"].num_rows == 6


def test_the_raw_landing_asset_runs_on_the_live_source(tmp_path, monkeypatch) -> None:
    """The real ``land_exchange`` multi-asset, bound to the live source, lands a partition and
    its venue-day coverage check passes."""
    from orchestration.defs.raw_landing import raw_domain_assets

    monkeypatch.setenv("PERP_FRAGILITY_DATA_DIR", str(tmp_path))
    exchange_asset = next(a for a in raw_domain_assets if a.node_def.name == "land_exchange")
    with LoopbackServer(clock_ms=CLOCK + 11 * HOUR) as server:
        source = _source(server, tmp_path)
        result = dg.materialize(
            [exchange_asset],
            partition_key=DAY.isoformat(),
            resources={"market_source": source},
            instance=dg.DagsterInstance.ephemeral(),
        )
    assert result.success
    checks = {
        (e.asset_key.path[-1], e.check_name): e.passed for e in result.get_asset_check_evaluations()
    }
    assert checks[("funding_rates", "venue_day_coverage")] is True
    assert all(checks.values()), checks
    landed = landing.read_dataset(DATASETS_BY_NAME["funding_rates"], tmp_path)
    assert set(landed.column("venue").to_pylist()) == {
        "binance",
        "bybit",
        "okx",
        "deribit",
        "hyperliquid",
    }
    assert set(landed.column("source").to_pylist()) == {
        "ccxt:binanceusdm",
        "ccxt:bybit",
        "ccxt:okx",
        "ccxt:deribit",
        "ccxt:hyperliquid",
    }


def test_a_fault_in_one_venue_is_visible_in_the_outcomes(tmp_path) -> None:
    with LoopbackServer(["binance", "bybit"], clock_ms=CLOCK) as server:
        server.add_fault(Fault("bybit", "funding/history", status=500, times=None))
        source = _source(server, tmp_path)
        tables = source.fetch_day(DAY, frozenset({"funding_rates"}))
    assert {r["venue"] for r in tables["funding_rates"].to_pylist()} == {"binance"}
    bybit = next(o for o in source.last_outcomes() if o.venue == "bybit")
    assert bybit.status == "failed" and "ExchangeNotAvailable" in bybit.message


def _land_exchange(source, instance=None, **kw):
    from orchestration.defs.raw_landing import raw_domain_assets

    exchange_asset = next(a for a in raw_domain_assets if a.node_def.name == "land_exchange")
    return dg.materialize([exchange_asset], resources={"market_source": source},
                          instance=instance or dg.DagsterInstance.ephemeral(), **kw)


def test_a_subset_of_venues_run_succeeds_and_contacts_only_those(tmp_path, monkeypatch) -> None:
    """``PERP_FRAGILITY_VENUES=binance,okx`` (what ``run --venues`` sets): only those venues
    are contacted, and the run, its checks included, succeeds."""
    monkeypatch.setenv("PERP_FRAGILITY_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PERP_FRAGILITY_VENUES", "binance,okx")
    monkeypatch.setenv("PERP_FRAGILITY_DATASETS", "funding_rates,ohlcv_daily")
    with LoopbackServer(clock_ms=CLOCK + 11 * HOUR) as server:
        source = LiveMarketSource(api_urls=server.urls(), timeout_ms=3000, max_retries=1,
                                  retry_base_delay_s=0.01, data_dir=str(tmp_path),
                                  throttle=False)
        result = _land_exchange(source, partition_key=DAY.isoformat())
        contacted = {r.venue for r in server.requests}
        paths = {r.path for r in server.requests}
    assert result.success
    assert contacted == {"binance", "okx"}
    assert paths == {  # markets, funding and candles only: other datasets are not fetched
        "/fapi/v1/exchangeInfo", "/api/v3/exchangeInfo", "/fapi/v1/fundingRate",
        "/fapi/v1/klines", "/api/v3/klines", "/api/v5/public/instruments",
        "/api/v5/public/funding-rate-history", "/api/v5/market/candles",
    }
    checks = {(e.asset_key.path[-1], e.check_name): e.passed
              for e in result.get_asset_check_evaluations()}
    assert checks[("funding_rates", "venue_day_coverage")] is True
    landed = {e.materialization.asset_key.path[-1]
              for e in result.get_asset_materialization_events()}
    assert landed == {"funding_rates", "ohlcv_daily"}


def test_a_range_run_lands_every_day_and_reports_true_row_counts(tmp_path, monkeypatch) -> None:
    """A 10-day range in one run and one window: every day its own file and record; the run
    total is not written as every partition's ``dagster/row_count``."""
    monkeypatch.setenv("PERP_FRAGILITY_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PERP_FRAGILITY_DATASETS", "funding_rates")
    start = date(2026, 11, 1)
    with LoopbackServer(["binance", "bybit"], clock_ms=CLOCK) as server:
        source = _source(server, tmp_path)
        result = _land_exchange(source, selection=["raw/funding_rates"], tags={
            # Dagster's documented run tags of a partition-range run
            "dagster/asset_partition_range_start": start.isoformat(),
            "dagster/asset_partition_range_end": (start + timedelta(days=9)).isoformat()})
        funding_calls = server.count(path_contains="fund")
    assert result.success
    assert funding_calls == 2 + 2 * 1  # binance: 1 page/symbol; bybit 60 rows: 1 page/symbol
    events = [e for e in result.get_asset_materialization_events()
              if e.materialization.asset_key.path[-1] == "funding_rates"]
    assert len(events) == 10
    for event in events:
        meta = event.materialization.metadata
        assert "dagster/row_count" not in meta
        assert meta["rows_in_run"].value == 10 * 2 * 2 * 3
        assert meta["rows_per_day_min"].value == meta["rows_per_day_max"].value == 12
    for i in range(10):
        assert set(_statuses(start + timedelta(days=i), tmp_path).values()) == {"ok"}


def test_refetch_incomplete_is_launchpad_run_config(tmp_path, monkeypatch) -> None:
    """``run --refetch-incomplete`` is resource run config, as the UI launchpad gives it: a
    second run of a complete day makes no venue request."""
    monkeypatch.setenv("PERP_FRAGILITY_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PERP_FRAGILITY_DATASETS", "funding_rates")
    with LoopbackServer(["okx"], clock_ms=CLOCK + 11 * HOUR) as server:
        monkeypatch.setenv("PERP_FRAGILITY_VENUES", "okx")
        source = _source(server, tmp_path)
        instance = dg.DagsterInstance.ephemeral()
        assert _land_exchange(source, instance, partition_key=DAY.isoformat()).success
        server.requests.clear()
        again = _land_exchange(
            source, instance, partition_key=DAY.isoformat(),
            run_config={"resources": {"market_source": {"config": {"refetch_incomplete": True}}}},
        )
        assert again.success and server.count() == 0


def test_proxy_environment_is_honoured(tmp_path, monkeypatch) -> None:
    """ccxt's requests session honours the standard proxy variables (HTTPS_PROXY for https
    venues; HTTP_PROXY here, as the loopback speaks plain HTTP): the mirror's host name does
    not resolve, so a landed row proves the request went through the proxy."""
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    with LoopbackServer(["okx"], clock_ms=CLOCK) as proxy:  # answers absolute-URI requests
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
        source = LiveMarketSource(venues=["okx"],
                                  api_urls={"okx": "http://okx.mirror.invalid/okx"},
                                  timeout_ms=3000, max_retries=0, data_dir=str(tmp_path),
                                  throttle=False)
        tables = source.fetch_day(DAY, frozenset({"funding_rates"}))
        assert proxy.count("okx", "funding-rate-history") == 2
    assert tables["funding_rates"].num_rows == 6


def test_resume_with_one_venue_still_down_lands_the_others(tmp_path) -> None:
    datasets = {"funding_rates"}
    with LoopbackServer(["binance", "okx", "bybit"], clock_ms=CLOCK) as server:
        source = _source(server, tmp_path)
        server.down.update({"okx", "bybit"})
        backfill(source, DAY, DAY + timedelta(days=1), datasets, data_root=tmp_path)
        server.down.discard("bybit")  # bybit back, okx still down
        backfill(source, DAY, DAY + timedelta(days=1), datasets, data_root=tmp_path)
        server.down.clear()
    statuses = _statuses(DAY, tmp_path)
    assert statuses == {("binance", "funding_rates"): "ok", ("bybit", "funding_rates"): "ok",
                        ("okx", "funding_rates"): "failed"}
    landed = landing.read_dataset(DATASETS_BY_NAME["funding_rates"], tmp_path)
    assert set(landed.column("venue").to_pylist()) == {"binance", "bybit"}


def test_an_unreachable_reference_source_fails_fast_with_its_name(tmp_path, monkeypatch) -> None:
    """CFTC down: the step fails once, naming ``cftc_source``, without step retries on top of
    the source's own request retries."""
    from orchestration.defs.raw_landing import raw_domain_assets
    from orchestration.resources.reference_sources import CftcSource

    monkeypatch.setenv("PERP_FRAGILITY_DATA_DIR", str(tmp_path))
    dead = "http://127.0.0.1:9"  # nothing listens on the discard port
    source = CftcSource(history_url_template=dead + "/fut_fin_txt_{year}.zip",
                        weekly_url=dead + "/FinFutWk.txt", backoff_s=0.0, timeout_s=2.0,
                        max_retries=1)
    cftc_asset = next(a for a in raw_domain_assets if a.node_def.name == "land_cftc")
    instance = dg.DagsterInstance.ephemeral()
    started = time.monotonic()
    result = dg.materialize([cftc_asset], resources={"cftc_source": source},
                            partition_key="2025-10-07", instance=instance,
                            raise_on_error=False)
    assert not result.success and time.monotonic() - started < 30
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert len(failures) == 1  # no step retry
    text = failures[0].step_failure_data.error.message
    assert "cftc" in text.lower() and dead in text
    assert not [e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
