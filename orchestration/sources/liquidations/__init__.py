"""The liquidation collector: ccxt.pro streams -> hourly Parquet segments + coverage records.

Modules: ``normalise`` (venue conventions -> contract rows), ``store`` (files, dedupe,
flushes), ``collector`` (per-venue asyncio tasks, reconnects, watchdog, signals), ``command``
(the ``perp-fragility collect-liquidations`` options), ``compaction`` (the daily landing).
"""
