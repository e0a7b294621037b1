"""Generic long CSV imports: offsets honoured, naive times refused, bad values quarantined and
counted, idempotent, and kept apart from earlier imports of the same day."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from orchestration.landing import landing
from orchestration.landing.raw_schemas import FUNDING_RATES, OHLCV_DAILY, OPEN_INTEREST
from orchestration.sources.importers import ImportFormatError, import_files


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


FUNDING = """venue,symbol,funding_ts,rate,interval_hours
binance,ETH/USDT:USDT,2023-01-01T03:00:00.008+03:00,0.0001,8
binance,ETH/USDT:USDT,2023-01-01T08:00:00Z,0.00012,
binance,ETH/USDT:USDT,2023-01-01 16:00:00,0.0002,
binance,ETH/USDT:USDT,2023-01-02T00:00:00+00:00,NaN,
binance,ETH/USDT:USDT,2023-01-02T08:00:00+00:00,abc,
binance,ETH/USDT:USDT,not-a-time,0.0001,
"""


def test_funding_csv_lands_utc_settlements_and_counts_every_reject(tmp_path) -> None:
    src = _write(tmp_path / "funding.csv", FUNDING)
    report = import_files("funding", [src], tmp_path / "data", allow_rejects=True)
    assert report.rows_read == 6
    assert report.rows_landed == 2
    assert report.rejected_by_reason == {
        "naive timestamp (no UTC offset)": 1,
        "non-finite rate": 1,
        "not a number": 1,
        "unparseable timestamp": 1,
    }
    assert report.days_touched == (date(2023, 1, 1),)  # 01-02 had only rejected rows
    assert report.rejects_path is not None
    quarantined = report.rejects_path.read_text()
    assert "naive timestamp" in quarantined and "non-finite rate" in quarantined
    rows = landing.read_dataset(FUNDING_RATES, tmp_path / "data").to_pylist()
    assert [(r["funding_ts"], r["rate"], r["interval_hours"]) for r in rows] == [
        (datetime(2023, 1, 1, 0, tzinfo=UTC), 0.0001, 8.0),  # +03:00 and ms jitter handled
        (datetime(2023, 1, 1, 8, tzinfo=UTC), 0.00012, None),
    ]
    assert {r["source"] for r in rows} == {"import:funding"}
    assert rows[0]["base_asset"] == "ETH"
    # screened before landing: the landing itself had nothing left to quarantine
    assert not list((tmp_path / "data" / "quarantine").rglob("*.parquet"))
    assert "import" in report.describe() and "rejected 1: naive timestamp" in report.describe()


def test_importing_the_same_file_twice_gives_the_same_parquet(tmp_path) -> None:
    src = _write(tmp_path / "funding.csv", FUNDING)
    import_files("funding", [src], tmp_path / "data", allow_rejects=True)
    files = sorted((tmp_path / "data" / "raw").rglob("part-*.parquet"))
    before = {f: f.read_bytes() for f in files}
    import_files("funding", [src], tmp_path / "data", allow_rejects=True)
    assert sorted((tmp_path / "data" / "raw").rglob("part-*.parquet")) == files
    assert {f: f.read_bytes() for f in files} == before


def test_a_second_file_for_the_same_day_is_a_second_import_not_a_replacement(tmp_path) -> None:
    header = "venue,symbol,funding_ts,rate\n"
    a = _write(tmp_path / "a.csv", header + "okx,BTC/USDT:USDT,2024-03-01T00:00:00Z,0.0001\n")
    b = _write(tmp_path / "b.csv", header + "okx,BTC/USDT:USDT,2024-03-01T08:00:00Z,0.0002\n"
               "okx,BTC/USDT:USDT,2024-03-01T00:00:00Z,0.0003\n")
    first = import_files("funding", [a], tmp_path / "data")
    second = import_files("funding", [b], tmp_path / "data")
    assert first.import_id != second.import_id
    rows = landing.read_dataset(FUNDING_RATES, tmp_path / "data").to_pylist()
    assert sorted((r["funding_ts"].hour, r["rate"]) for r in rows) == [
        (0, 0.0001), (0, 0.0003), (8, 0.0002)]


def test_imports_never_touch_the_live_partitions(tmp_path) -> None:
    live = landing.land_partition(FUNDING_RATES, date(2024, 3, 1), FUNDING_RATES.schema
                                  .empty_table(), data_root=tmp_path / "data")
    src = _write(tmp_path / "f.csv", "venue,symbol,funding_ts,rate\n"
                 "okx,BTC/USDT:USDT,2024-03-01T00:00:00Z,0.0001\n")
    report = import_files("funding", [src], tmp_path / "data")
    assert live.path.exists()
    parts = sorted(p.name for p in live.path.parent.glob("*.parquet"))
    assert parts == ["part-0.parquet", f"part-import-{report.import_id}-okx-btc-usdt-usdt.parquet"]


def test_open_interest_csv(tmp_path) -> None:
    src = _write(tmp_path / "oi.csv", "venue,symbol,ts,oi_contracts,oi_usd\n"
                 "bybit,ETH/USDT:USDT,2024-03-02T00:00:00+00:00,1500.5,5000000\n"
                 "deribit,BTC/USD:BTC-240329,2024-03-02T01:00:00+01:00,100,1000\n"
                 "bybit,BTC/USDT:USDT,2024-03-02T00:00:00+00:00,-3,100\n")
    report = import_files("oi", [src], tmp_path / "data", allow_rejects=True)
    assert report.rows_landed == 2 and report.rejected_by_reason == {"negative oi_contracts": 1}
    rows = landing.read_dataset(OPEN_INTEREST, tmp_path / "data").to_pylist()
    assert {(r["symbol"], r["kind"]) for r in rows} == {("ETH/USDT:USDT", "perp"),
                                                         ("BTC/USD:BTC-240329", "dated")}
    # an end-of-day snapshot at 00:00 UTC belongs to the day before
    assert report.days_touched == (date(2024, 3, 1),)


def test_prices_csv(tmp_path) -> None:
    src = _write(tmp_path / "p.csv", "venue,symbol,ts,open,high,low,close,volume_base\n"
                 "binance,ETH/USDT,2024-03-01T00:00:00Z,3300,3400,3200,3350,1000\n"
                 "binance,ETH/USDT:USDT,2024-03-01T00:00:00Z,3301,3401,3201,3351,2000\n"
                 "binance,ETH/USDT,2024-03-02T12:00:00Z,1,1,1,1,1\n")
    report = import_files("prices", [src], tmp_path / "data", allow_rejects=True)
    assert report.rows_landed == 2
    assert report.rejected_by_reason == {"daily candle ts is not 00:00 UTC": 1}
    rows = landing.read_dataset(OHLCV_DAILY, tmp_path / "data").to_pylist()
    assert {r["market_type"] for r in rows} == {"spot", "perp"}


def test_a_file_of_the_wrong_kind_is_refused_with_the_expected_header(tmp_path) -> None:
    src = _write(tmp_path / "x.csv", "time,rate\n2024-01-01,0.1\n")
    with pytest.raises(ImportFormatError, match="expected venue,symbol,funding_ts,rate"):
        import_files("funding", [src], tmp_path / "data")
    with pytest.raises(ValueError, match="unknown import kind"):
        import_files("bogus", [src], tmp_path / "data")


def test_nan_is_kept_as_a_float_until_the_quarantine(tmp_path) -> None:
    from orchestration.sources.importers.common import parse_number, parse_percent

    assert math.isnan(parse_number("NaN"))
    assert parse_number("") is None
    assert parse_percent("0.010000%") == 0.0001
    assert parse_percent("-0.002184%") == -0.00002184
