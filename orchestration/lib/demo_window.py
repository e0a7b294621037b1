"""The demo's fixed window of the simulated market: ``perp-fragility demo`` lands it and the
daily partitions of the simulated source start on its first day (see defs/partitions.py)."""

from __future__ import annotations

from datetime import date, timedelta

DEMO_END = date(2026, 11, 22)  # a Sunday: the demo's last complete week is 2026-W47
DEMO_DAYS = 120


def demo_start(end: date = DEMO_END, days: int = DEMO_DAYS) -> date:
    """First day of a ``days``-long window ending on ``end``."""
    return end - timedelta(days=days - 1)
