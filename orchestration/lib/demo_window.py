"""The demo's fixed window of the simulated market: ``perp-fragility demo`` lands it and the
daily partitions of the simulated source start on its first day (see defs/partitions.py)."""

from __future__ import annotations

from datetime import date, timedelta

DEMO_END = date(2026, 11, 22)  # a Sunday: the demo's last complete week is 2026-W47
# 64 ISO weeks (2025-09-01 .. 2026-11-22): a component needs 52 complete weeks of history
# before its score is published, and the 30-day signals start ~4 weeks in, so the report week
# and the ~10 weeks before it are scored with honest ranks (docs/simulated-market.md).
DEMO_DAYS = 448


def demo_start(end: date = DEMO_END, days: int = DEMO_DAYS) -> date:
    """First day of a ``days``-long window ending on ``end``."""
    return end - timedelta(days=days - 1)
