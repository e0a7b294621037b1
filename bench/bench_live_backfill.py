"""Benchmark: a five-venue funding + open-interest backfill against the loopback emulation,
with each venue's published rate limit enforced server-side (token buckets answering in the
venue's own 429 / retCode 10006 dialect) and ccxt's client-side throttle on, as in production.

Prints the wall time, requests and rate-limit replies per venue, and the fraction of each
published limit the backfill used while that venue was being fetched (weight served divided by
what the limit allows over that time: the burst plus the refill).

    .venv/bin/python bench/bench_live_backfill.py                 # one year
    .venv/bin/python bench/bench_live_backfill.py --days 90       # a shorter span
    .venv/bin/python bench/bench_live_backfill.py --chunk-days 1  # day by day (Dagster path)

Not a test: it takes minutes for a year (Hyperliquid's 1,200 weight/min allows one funding
page a second).
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from orchestration.lib.live import backfill, venue_configs  # noqa: E402
from tests.support.venue_loopback import LoopbackServer, rate_limit_rules  # noqa: E402
from orchestration.resources.live_market import LiveMarketSource  # noqa: E402

DATASETS = frozenset({"funding_rates", "open_interest"})


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=365, help="span in days (default 365)")
    parser.add_argument("--end", type=date.fromisoformat, default=date(2026, 11, 1),
                        help="first day after the span (default 2026-11-01)")
    parser.add_argument("--chunk-days", type=int, default=30,
                        help="days per fetch window (default 30; 1 = day by day)")
    parser.add_argument("--venues", nargs="*", default=None, help="default: all five")
    return parser.parse_args()


def main() -> None:
    args = _args()
    logging.basicConfig(level=logging.ERROR)
    start = args.end - timedelta(days=args.days)
    configs = venue_configs(args.venues)
    clock = int(datetime(args.end.year, args.end.month, args.end.day, 0, 30,
                         tzinfo=UTC).timestamp() * 1000)
    with tempfile.TemporaryDirectory() as tmp, LoopbackServer(
        [c.venue for c in configs], clock_ms=clock, rate_limits=rate_limit_rules(list(configs))
    ) as server:
        source = LiveMarketSource(
            venues=[c.venue for c in configs], api_url_overrides=server.urls(),
            record_outcomes=False, data_dir=tmp, timeout_ms=10_000,
        )
        began = time.monotonic()
        report = backfill(source, start, args.end, DATASETS, data_root=Path(tmp),
                          chunk_days=args.chunk_days)
        wall = time.monotonic() - began

        print(f"backfill {start}..{args.end - timedelta(days=1)} ({args.days} days), "
              f"{len(configs)} venues, datasets {sorted(DATASETS)}, "
              f"chunks of {args.chunk_days} day(s)")
        print(f"wall time {wall:.1f} s; rows landed {dict(report.rows)}; "
              f"quarantined {dict(report.rejected)}")
        statuses = Counter((o.venue, o.dataset, o.status) for o in report.outcomes)
        print(f"\n{'venue':12} requests  429s  active s  {'limit (published)':44} used")
        for config in configs:
            venue = config.venue
            times = [r.at for r in server.requests if r.venue == venue]
            active = max(times) - min(times) if len(times) > 1 else 0.0
            served = server.served_weight(venue)
            for rule in config.rate_limits:
                # what the bucket could have let through: its burst plus the refill
                allowed = rule.capacity * (1 + active / rule.per_seconds)
                used = served.get(rule.path_prefix or "*", 0.0) / allowed if allowed else 0.0
                label = (f"{rule.capacity:g}/{rule.per_seconds:g}s"
                         f"{' x' + format(rule.cost, 'g') if rule.cost != 1 else ''} "
                         f"{rule.path_prefix or '(all)'}")
                print(f"{venue:12} {len(times):8d} {server.rate_limited.get(venue, 0):5d} "
                      f"{active:9.1f}  {label:44} {used:6.1%}")
        print("\noutcomes per venue/dataset:")
        for (venue, dataset, status), n in sorted(statuses.items()):
            print(f"  {venue:12} {dataset:15} {status:14} {n:4d} day(s)")


if __name__ == "__main__":
    main()
