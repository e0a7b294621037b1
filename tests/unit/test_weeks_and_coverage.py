"""ISO week helpers and the funding completeness rule."""

from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
import pytest

from orchestration.landing.coverage import funding_gaps
from orchestration.lib.venues import venue_rules
from orchestration.lib.weeks import (
    iso_week_of,
    last_complete_week,
    week_monday,
    week_of_partition_key,
    week_partition_key,
)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 22), "2026-W47"),  # a Sunday completes its own week
        (date(2026, 11, 23), "2026-W47"),  # Monday: the week just ended
        (date(2026, 11, 28), "2026-W47"),
        (date(2027, 1, 3), "2026-W53"),  # ISO year 2026 has 53 weeks
    ],
)
def test_last_complete_week(day, expected):
    assert last_complete_week(day) == expected


def test_iso_week_round_trip_and_bad_input():
    assert week_monday("2026-W47") == date(2026, 11, 16)
    assert iso_week_of(date(2026, 11, 16)) == "2026-W47"
    with pytest.raises(ValueError, match="2026-W47"):
        week_monday("2026-47")
    with pytest.raises(ValueError, match="ISO year 2027 has weeks W01..W52"):
        week_monday("2027-W53")
    assert week_monday("2026-W53") == date(2026, 12, 28)


def test_weekly_partition_keys_are_iso_week_dates():
    assert week_partition_key("2026-W47") == "2026-W47-1"
    assert week_of_partition_key("2026-W47-1") == "2026-W47"
    assert week_of_partition_key(week_partition_key("2026-W53")) == "2026-W53"


def test_venue_rules_follow_the_venue_facts():
    by_venue = {(r.venue, r.base_asset): r for r in venue_rules()}
    assert by_venue[("hyperliquid", "ETH")].settlements_per_day == 24
    assert by_venue[("binance", "BTC")].settlements_per_day == 3
    assert by_venue[("hyperliquid", "ETH")].baseline_rate(1) == pytest.approx(0.0001 / 8)
    assert by_venue[("okx", "ETH")].baseline_rate_8h == 0
    assert by_venue[("deribit", "BTC")].baseline_rate_8h == 0


def _settlements(venue: str, symbol: str, day: date, hours: list[int]) -> dict[str, list]:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return {
        "venue": [venue] * len(hours),
        "symbol": [symbol] * len(hours),
        "funding_ts": [start + timedelta(hours=h) for h in hours],
    }


def test_funding_gaps_names_missing_and_partial_venue_days():
    day = date(2026, 11, 16)
    rules = [r for r in venue_rules() if r.base_asset == "ETH" and r.venue in ("binance", "okx")]
    rows = _settlements("binance", "ETH/USDT:USDT", day, [0, 8, 16])
    partial = _settlements("okx", "ETH/USDT:USDT", day, [0, 8])
    table = pa.table({k: rows[k] + partial[k] for k in rows})
    gaps = funding_gaps(table, [day, day + timedelta(days=1)], rules)
    described = [g.describe() for g in gaps]
    assert described == [
        "2026-11-16 okx ETH/USDT:USDT: 2/3 settlements",
        "2026-11-17 binance ETH/USDT:USDT: 0/3 settlements",
        "2026-11-17 okx ETH/USDT:USDT: 0/3 settlements",
    ]


def test_funding_gaps_tell_a_missing_settlement_from_a_missing_venue():
    """Day 1: okx settles twice of three times. Day 2: okx lands nothing at all. A settlement
    at 23:00 UTC counts for its own day, and complete venue-days are never reported."""
    day = date(2026, 11, 16)
    rules = [r for r in venue_rules() if r.base_asset == "ETH" and r.venue in ("binance", "okx")]
    landed = [
        _settlements("binance", "ETH/USDT:USDT", day, [0, 8, 16]),
        _settlements("okx", "ETH/USDT:USDT", day, [0, 23]),
        _settlements("binance", "ETH/USDT:USDT", day + timedelta(days=1), [0, 8, 16]),
    ]
    table = pa.table({k: [v for part in landed for v in part[k]] for k in landed[0]})
    gaps = funding_gaps(table, [day, day + timedelta(days=1)], rules)
    assert [(g.day, g.venue, g.symbol, g.expected, g.found) for g in gaps] == [
        (day, "okx", "ETH/USDT:USDT", 3, 2),
        (day + timedelta(days=1), "okx", "ETH/USDT:USDT", 3, 0),
    ]


def test_funding_gaps_of_an_empty_landing_list_every_venue_day():
    day = date(2026, 11, 16)
    rules = [r for r in venue_rules() if r.base_asset == "BTC"]
    empty = pa.table(
        {
            "venue": pa.array([], pa.string()),
            "symbol": pa.array([], pa.string()),
            "funding_ts": pa.array([], pa.timestamp("us", tz="UTC")),
        }
    )
    gaps = funding_gaps(empty, [day], rules)
    assert [(g.venue, g.found) for g in gaps] == [(r.venue, 0) for r in rules]
