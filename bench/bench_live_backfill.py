"""Benchmark: a one-year, three-venue (Binance, Bybit, OKX) funding + daily-candle backfill
through the Dagster ``daily_market_job`` against the loopback venue emulation, compared with a
direct paged fetch of the same year (one window per venue and series: the fewest requests the
venues' page sizes allow).

Prints the requests of each, their ratio (target <= 1.2), the wall time of the job, and checks
that every day was still landed and recorded on its own (one Parquet file per dataset and day,
one outcome record per day, all ``ok``).

    .venv/bin/python bench/bench_live_backfill.py                  # one year
    .venv/bin/python bench/bench_live_backfill.py --days 90        # a shorter span
    .venv/bin/python bench/bench_live_backfill.py --window-days 31 # smaller windows

The job runs exactly as ``perp-fragility run --source live --venues binance,bybit,okx
--datasets funding_rates,ohlcv_daily --api-url ...`` does (the resources come from those
environment variables), with ccxt's client-side throttle on, as in production.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

VENUES = ("binance", "bybit", "okx")
DATASETS = ("funding_rates", "ohlcv_daily")


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=365, help="span in days (default 365)")
    parser.add_argument("--end", type=date.fromisoformat, default=date(2026, 11, 1),
                        help="first day after the span (default 2026-11-01)")
    parser.add_argument("--window-days", type=int, default=None,
                        help="days per fetch window (default: the live source's 183)")
    return parser.parse_args()


def _direct(server, start: date, end: date) -> tuple[int, float]:
    """Requests and seconds of one paged fetch of the whole span (no Dagster, no landing)."""
    from orchestration.sources.live import LiveFetcher, venue_configs

    fetcher = LiveFetcher(venue_configs(list(VENUES)), api_urls=server.urls())
    before = len(server.requests)
    began = time.monotonic()
    result = fetcher.fetch(start, end, DATASETS)
    seconds = time.monotonic() - began
    bad = [o.describe() for o in result.outcomes if o.status != "ok"]
    if bad:
        raise SystemExit(f"direct fetch incomplete: {bad[:3]}")
    return len(server.requests) - before, seconds


def _job(server, start: date, end: date, window_days: int | None) -> tuple[int, float, str]:
    """Requests and seconds of the Dagster job over the span, and the run id."""
    import dagster as dg

    from orchestration.definitions import defs

    os.environ.update({
        "PERP_FRAGILITY_SOURCE": "live",
        "PERP_FRAGILITY_VENUES": ",".join(VENUES),
        "PERP_FRAGILITY_DATASETS": ",".join(DATASETS),
        "PERP_FRAGILITY_API_URLS": ",".join(f"{v}={u}" for v, u in server.urls().items()),
    })
    job = defs().resolve_job_def("daily_market_job")
    run_config: dict = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    if window_days:
        run_config["resources"] = {"market_source": {"config": {"window_days": window_days}}}
    before = len(server.requests)
    began = time.monotonic()
    result = job.execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        run_config=run_config,
        tags={"dagster/asset_partition_range_start": start.isoformat(),
              "dagster/asset_partition_range_end": (end - timedelta(days=1)).isoformat()},
    )
    seconds = time.monotonic() - began
    if not result.success:
        raise SystemExit("daily_market_job failed")
    return len(server.requests) - before, seconds, result.run_id


def _check_days(data_dir: Path, start: date, end: date) -> Counter[str]:
    """Every day has its own Parquet file per dataset and its own outcome record."""
    from orchestration.landing import landing
    from orchestration.landing.raw_schemas import DATASETS_BY_NAME
    from orchestration.sources.live import read_outcomes

    statuses: Counter[str] = Counter()
    for i in range((end - start).days):
        day = start + timedelta(days=i)
        for name in DATASETS:
            part = landing.partition_dir(DATASETS_BY_NAME[name], day, data_dir / "raw")
            if not (part / "part-0.parquet").exists():
                raise SystemExit(f"{name} {day} not landed")
        recorded = read_outcomes(day, data_dir)
        if len(recorded) != len(VENUES) * len(DATASETS):
            raise SystemExit(f"{day}: {len(recorded)} outcome rows")
        statuses.update(r["status"] for r in recorded)
    return statuses


def main() -> None:
    args = _args()
    logging.basicConfig(level=logging.ERROR)
    start = args.end - timedelta(days=args.days)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        os.environ["PERP_FRAGILITY_DATA_DIR"] = str(data_dir)
        from orchestration.landing.landing import ensure_schema_files
        from tests.support.venue_loopback import LoopbackServer

        ensure_schema_files(data_dir / "raw")
        clock = int(datetime(args.end.year, args.end.month, args.end.day, 0, 30,
                             tzinfo=UTC).timestamp() * 1000)
        with LoopbackServer(list(VENUES), clock_ms=clock) as server:
            direct, direct_s = _direct(server, start, args.end)
            job, job_s, _ = _job(server, start, args.end, args.window_days)
            per_venue = Counter(r.venue for r in server.requests)
        statuses = _check_days(data_dir, start, args.end)
    print(f"backfill {start}..{args.end - timedelta(days=1)} ({args.days} days), venues "
          f"{', '.join(VENUES)}, datasets {', '.join(DATASETS)}")
    print(f"direct paged fetch: {direct} requests, {direct_s:.1f} s")
    print(f"daily_market_job:   {job} requests, {job_s:.1f} s wall "
          f"(windows of {args.window_days or 183} days)")
    print(f"request ratio job / direct: {job / direct:.3f} (target <= 1.2)")
    print(f"requests per venue (both runs): {dict(per_venue)}")
    print(f"days landed and recorded separately: {args.days}; outcome cells {dict(statuses)}")


if __name__ == "__main__":
    main()
