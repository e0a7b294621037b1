"""Binance's own history formats: what its APIs no longer serve (OI history beyond ~30 days).

* ``binance-funding-archive``: public-data monthly ``fundingRate`` CSV (``.csv`` or the ``.zip``
  as published), e.g. ``BTCUSDT-fundingRate-2024-01.csv`` with
  ``calc_time,funding_interval_hours,last_funding_rate`` (epoch ms, hours, decimal rate). The
  symbol comes from the file name.
* ``binance-metrics``: public-data daily ``metrics`` CSV, e.g. ``BTCUSDT-metrics-2024-01-01.csv``
  with ``create_time,symbol,sum_open_interest,sum_open_interest_value,
  count_toptrader_long_short_ratio,sum_toptrader_long_short_ratio,count_long_short_ratio,
  sum_taker_long_short_vol_ratio`` every 5 minutes, UTC. Lands the end-of-day open interest
  snapshot (latest point of each UTC day, 00:00 of the next day counting for the day before) and
  the day's all-accounts long/short ratio (``count_long_short_ratio`` of the same point,
  stamped 00:00 UTC of the day, the raw contract's daily grain). The other points are counted
  as summarised.
* ``binance-funding-export``: the website's "Funding Rate History" download: UTF-8 BOM, every
  field quoted, ``"Time","Contracts","Funding Interval","Funding Rate"`` with rates like
  ``"0.010000%"``, newest first, and times in the *browser's* time zone (the sample in
  ``../shared/data`` is UK local time). Pass ``tz``; without it the times must already sit on
  the UTC settlement grid, otherwise the import stops and asks for the zone.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from orchestration.sources.importers.common import (
    ImportFormatError,
    Reject,
    binance_symbol,
    csv_rows,
    epoch_ms,
    open_text,
    parse_number,
    parse_percent,
    round_minute,
    snapshot_day,
)
from orchestration.sources.importers.parsed import Parsed

VENUE = "binance"
ARCHIVE_COLUMNS = ("calc_time", "funding_interval_hours", "last_funding_rate")
METRICS_COLUMNS = (
    "create_time", "symbol", "sum_open_interest", "sum_open_interest_value",
    "count_toptrader_long_short_ratio", "sum_toptrader_long_short_ratio",
    "count_long_short_ratio", "sum_taker_long_short_vol_ratio",
)
EXPORT_COLUMNS = ("Time", "Contracts", "Funding Interval", "Funding Rate")
OFF_GRID_TOLERANCE = 0.02
"""Share of rows allowed off the settlement grid before a zone-less export is refused."""


def _symbol_from_name(name: str, marker: str) -> str:
    match = re.match(rf"([A-Z0-9_]+)-{marker}-", Path(name).name.upper())
    if not match:
        raise ImportFormatError(
            f"{name}: cannot tell the symbol from the file name (expected "
            f"<SYMBOL>-{marker}-<date>.csv as published by data.binance.vision)"
        )
    return match.group(1)


def _header(cells: list[str], expected: tuple[str, ...], name: str, kind: str) -> bool:
    """True when ``cells`` is the header; False for a headerless file (older archives)."""
    lowered = [c.lower() for c in cells]
    if lowered[: len(expected)] == [e.lower() for e in expected]:
        return True
    if cells and re.fullmatch(r"\d+(\.\d+)?", cells[0]):
        return False
    raise ImportFormatError(f"{name}: not a {kind} file; expected header {','.join(expected)}")


def parse_funding_archive(paths: list[Path]) -> Parsed:
    parsed = Parsed()
    for path in paths:
        for member, text in open_text(path):
            symbol, base, _ = binance_symbol(_symbol_from_name(member, "FUNDINGRATE"))
            for line, cells in csv_rows(text):
                if line == 1 and _header(cells, ARCHIVE_COLUMNS, member, "fundingRate archive"):
                    continue
                parsed.rows_read += 1
                try:
                    parsed.add("funding_rates", {
                        "source": "import:binance-funding-archive", "venue": VENUE,
                        "symbol": symbol, "base_asset": base,
                        "funding_ts": round_minute(epoch_ms(cells[0])),
                        "interval_hours": parse_number(cells[1]),
                        "rate": parse_number(cells[2]),
                    })
                except (ValueError, IndexError, ArithmeticError) as error:
                    parsed.rejects.append(Reject(member, line, f"unreadable row: {error}",
                                                 ",".join(cells)))
    return parsed


def _utc_naive(text: str) -> datetime:
    """Binance public data writes UTC without an offset (``2024-01-01 00:05:00``)."""
    value = text.strip()
    if re.fullmatch(r"\d{12,14}", value):
        return epoch_ms(value)
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is not None:
        return parsed.astimezone(UTC)
    return parsed.replace(tzinfo=UTC)


def parse_metrics(paths: list[Path]) -> Parsed:
    parsed = Parsed()
    latest: dict[tuple[str, date], tuple[datetime, dict[str, str], str, int]] = {}
    for path in paths:
        for member, text in open_text(path):
            for line, cells in csv_rows(text):
                if line == 1:
                    if [c.lower() for c in cells[: len(METRICS_COLUMNS)]] != list(METRICS_COLUMNS):
                        raise ImportFormatError(
                            f"{member}: not a Binance metrics file; expected header "
                            f"{','.join(METRICS_COLUMNS)}"
                        )
                    continue
                parsed.rows_read += 1
                record = dict(zip(METRICS_COLUMNS, cells, strict=False))
                try:
                    ts = _utc_naive(record["create_time"])
                    binance_symbol(record["symbol"])
                except (ValueError, KeyError) as error:
                    parsed.rejects.append(Reject(member, line, f"unreadable row: {error}",
                                                 ",".join(cells)))
                    continue
                key = (record["symbol"].upper(), snapshot_day(ts))
                if key in latest:
                    parsed.summarised += 1
                    if ts <= latest[key][0]:
                        continue
                latest[key] = (ts, record, member, line)
    for (raw_symbol, day), (ts, record, member, line) in sorted(latest.items()):
        symbol, base, kind = binance_symbol(raw_symbol)
        common = {"source": "import:binance-metrics", "venue": VENUE, "symbol": symbol,
                  "base_asset": base}
        try:
            oi_base = parse_number(record.get("sum_open_interest"))
            parsed.add("open_interest", {
                **common, "kind": kind, "ts": ts, "oi_contracts": oi_base, "oi_base": oi_base,
                "oi_usd": parse_number(record.get("sum_open_interest_value")),
            })
            ratio = parse_number(record.get("count_long_short_ratio"))
            parsed.add("long_short_ratio", {
                **common,
                "ts": datetime(day.year, day.month, day.day, tzinfo=UTC),
                "long_short_ratio": ratio,
                "long_account_share": (ratio / (1 + ratio)
                                       if ratio is not None and ratio >= 0 else None),
            })
        except ValueError as error:
            parsed.rejects.append(Reject(member, line, f"unreadable row: {error}",
                                         ",".join(record.values())))
    return parsed


def _zone(tz: str | None) -> ZoneInfo | None:
    if tz is None:
        return None
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ImportFormatError(f"unknown time zone {tz!r}") from error


def _local_to_utc(text: str, zone: ZoneInfo | None) -> datetime:
    naive = datetime.fromisoformat(text.strip())
    if naive.tzinfo is not None:
        return naive.astimezone(UTC)
    if zone is None:
        return naive.replace(tzinfo=UTC)
    local = naive.replace(tzinfo=zone)  # fold=0: the first of two ambiguous (DST) hours
    if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise ValueError(f"{text} does not exist in {zone.key} (clocks went forward)")
    return local.astimezone(UTC)


def _on_grid(ts: datetime, interval_hours: float | None) -> bool:
    step = timedelta(hours=interval_hours or 1)
    midnight = ts.replace(hour=0, minute=0, second=0, microsecond=0)
    return (ts - midnight) % step == timedelta(0)


def parse_funding_export(paths: list[Path], tz: str | None = None) -> Parsed:
    parsed = Parsed()
    zone = _zone(tz)
    for path in paths:
        for member, text in open_text(path):
            rows = list(csv_rows(text))
            if not rows or [c.strip() for c in rows[0][1][:4]] != list(EXPORT_COLUMNS):
                raise ImportFormatError(
                    f"{member}: not a Binance 'Funding Rate History' export; expected header "
                    + ",".join(f'"{c}"' for c in EXPORT_COLUMNS)
                )
            items: list[tuple[int, list[str], dict[str, object]]] = []
            for line, cells in rows[1:]:
                parsed.rows_read += 1
                try:
                    symbol, base, _ = binance_symbol(cells[1].split()[0])
                    interval = parse_number(cells[2].lower().rstrip("h"))
                    ts = round_minute(_local_to_utc(cells[0], zone))
                    items.append((line, cells, {
                        "source": "import:binance-funding-export", "venue": VENUE,
                        "symbol": symbol, "base_asset": base, "funding_ts": ts,
                        "interval_hours": interval, "rate": parse_percent(cells[3]),
                    }))
                except (ValueError, IndexError) as error:
                    parsed.rejects.append(Reject(member, line, f"unreadable row: {error}",
                                                 ",".join(cells)))
            off = [i for i in items if not _on_grid(i[2]["funding_ts"], i[2]["interval_hours"])]
            if zone is None and items and len(off) > OFF_GRID_TOLERANCE * len(items):
                raise ImportFormatError(
                    f"{member}: {len(off)} of {len(items)} times are off the UTC settlement "
                    "grid: the website export is in the exporting browser's time zone; pass "
                    "tz (e.g. 'Europe/London')"
                )
            off_rows = {id(o[2]) for o in off}
            for line, cells, row in items:
                if id(row) in off_rows:
                    parsed.rejects.append(Reject(
                        member, line, "off the settlement grid (wrong time zone?)",
                        ",".join(cells)))
                    continue
                parsed.add("funding_rates", row)
    return parsed
