"""Binance formats: public-data fundingRate and metrics archives (CSV and zip, with and
without header) and the website's funding export (BOM, quotes, percent, local time)."""

from __future__ import annotations

import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from orchestration.landing import landing
from orchestration.landing.raw_schemas import FUNDING_RATES, LONG_SHORT_RATIO, OPEN_INTEREST
from orchestration.sources.importers import ImportFormatError, ImportInputError, import_files
from orchestration.sources.importers.common import binance_symbol

ARCHIVE = """calc_time,funding_interval_hours,last_funding_rate
1704067200000,8,0.00037409
1704096000005,8,0.00045226
1704124800000,4,0.00010000
1704139200000,4,-0.00002000
"""

METRICS_HEADER = ("create_time,symbol,sum_open_interest,sum_open_interest_value,"
                  "count_toptrader_long_short_ratio,sum_toptrader_long_short_ratio,"
                  "count_long_short_ratio,sum_taker_long_short_vol_ratio\n")


def test_symbol_mapping() -> None:
    assert binance_symbol("BTCUSDT") == ("BTC/USDT:USDT", "BTC", "perp")
    assert binance_symbol("ETHUSD_PERP") == ("ETH/USD:ETH", "ETH", "perp")
    assert binance_symbol("ETHUSDT_250328") == ("ETH/USDT:USDT-250328", "ETH", "dated")
    with pytest.raises(ValueError):
        binance_symbol("???")


def test_monthly_funding_archive_csv_and_zip(tmp_path) -> None:
    csv_path = tmp_path / "ETHUSDT-fundingRate-2024-01.csv"
    csv_path.write_text(ARCHIVE)
    zip_path = tmp_path / "BTCUSDT-fundingRate-2024-01.zip"
    with zipfile.ZipFile(zip_path, "w") as archive:  # older archives have no header row
        archive.writestr("BTCUSDT-fundingRate-2024-01.csv", ARCHIVE.split("\n", 1)[1])
    report = import_files("binance-funding-archive", [csv_path, zip_path], tmp_path / "data")
    assert report.rows_read == 8 and report.rows_landed == 8 and report.rejected == 0
    rows = landing.read_dataset(FUNDING_RATES, tmp_path / "data").to_pylist()
    eth = [r for r in rows if r["symbol"] == "ETH/USDT:USDT"]
    assert [r["funding_ts"].hour for r in eth] == [0, 8, 16, 20]  # 8 h -> 4 h, ms rounded
    assert [r["interval_hours"] for r in eth] == [8.0, 8.0, 4.0, 4.0]
    assert eth[0]["rate"] == 0.00037409 and eth[0]["source"] == "import:binance-funding-archive"


def test_funding_archive_needs_the_symbol_in_its_name(tmp_path) -> None:
    path = tmp_path / "funding.csv"
    path.write_text(ARCHIVE)
    with pytest.raises(ImportFormatError, match="file name"):
        import_files("binance-funding-archive", [path], tmp_path / "data")


def test_daily_metrics_land_the_end_of_day_snapshot_and_ratio(tmp_path) -> None:
    lines = [
        "2024-01-01 00:05:00,BTCUSDT,80000.1,3400000000.5,1.5,1.6,1.20,0.9",
        "2024-01-01 12:00:00,BTCUSDT,81000.0,3500000000.0,1.5,1.6,1.30,0.9",
        "2024-01-02 00:00:00,BTCUSDT,82000.0,3600000000.0,1.5,1.6,1.25,0.9",
        "garbage,BTCUSDT,1,1,1,1,1,1",
    ]
    path = tmp_path / "BTCUSDT-metrics-2024-01-01.csv"
    path.write_text(METRICS_HEADER + "\n".join(lines) + "\n")
    report = import_files("binance-metrics", [path], tmp_path / "data", allow_rejects=True)
    assert report.rows_read == 4 and report.summarised == 2
    assert report.rejected_by_reason == {"unreadable row: Invalid isoformat string": 1}
    oi = landing.read_dataset(OPEN_INTEREST, tmp_path / "data").to_pylist()
    assert len(oi) == 1
    assert oi[0]["ts"] == datetime(2024, 1, 2, tzinfo=UTC)  # the close of 2024-01-01
    assert oi[0]["oi_base"] == 82000.0 and oi[0]["oi_usd"] == 3600000000.0
    ls = landing.read_dataset(LONG_SHORT_RATIO, tmp_path / "data").to_pylist()
    assert [(r["ts"], r["long_short_ratio"]) for r in ls] == [
        (datetime(2024, 1, 1, tzinfo=UTC), 1.25)]
    assert ls[0]["long_account_share"] == pytest.approx(1.25 / 2.25)
    assert report.days_touched == (date(2024, 1, 1),)


def test_metrics_with_a_foreign_header_is_refused(tmp_path) -> None:
    path = tmp_path / "BTCUSDT-metrics-2024-01-01.csv"
    path.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(ImportFormatError, match="create_time,symbol"):
        import_files("binance-metrics", [path], tmp_path / "data")


EXPORT = (
    '\ufeff"Time","Contracts","Funding Interval","Funding Rate"\n'
    '"2023-10-29 16:00:00","ETHUSDT Perpetual","8h","-0.002184%"\n'
    '"2023-10-29 08:00:00","ETHUSDT Perpetual","8h","0.010000%"\n'
    '"2023-10-29 01:00:00","ETHUSDT Perpetual","8h","0.004994%"\n'  # BST, the ambiguous hour
    '"2023-10-28 17:00:00","ETHUSDT Perpetual","8h","0.001147%"\n'
)


def test_website_export_in_uk_time(tmp_path) -> None:
    path = tmp_path / "Funding_Rate_History_ETHUSDT_Perpetual.csv"
    path.write_text(EXPORT, encoding="utf-8")
    report = import_files("binance-funding-export", [path], tmp_path / "data",
                          tz="Europe/London")
    assert report.rows_landed == 4 and report.rejected == 0
    rows = landing.read_dataset(FUNDING_RATES, tmp_path / "data").to_pylist()
    assert [(r["funding_ts"], r["rate"]) for r in rows] == [
        (datetime(2023, 10, 28, 16, tzinfo=UTC), 0.00001147),
        (datetime(2023, 10, 29, 0, tzinfo=UTC), 0.00004994),
        (datetime(2023, 10, 29, 8, tzinfo=UTC), 0.0001),
        (datetime(2023, 10, 29, 16, tzinfo=UTC), -0.00002184),
    ]
    assert {r["interval_hours"] for r in rows} == {8.0}


def test_website_export_without_zone_is_refused_when_off_the_grid(tmp_path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(EXPORT, encoding="utf-8")
    with pytest.raises(ImportFormatError, match="pass tz"):
        import_files("binance-funding-export", [path], tmp_path / "data")


def test_website_export_with_a_wrong_zone_quarantines_off_grid_rows(tmp_path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(EXPORT, encoding="utf-8")
    report = import_files("binance-funding-export", [path], tmp_path / "data", tz="UTC",
                          allow_rejects=True)
    assert report.rejected_by_reason == {"off the settlement grid (wrong time zone?)": 2}
    assert report.rows_landed == 2


def test_a_non_export_is_refused(tmp_path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Time,Rate\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match="Funding Rate History"):
        import_files("binance-funding-export", [path], tmp_path / "data", tz="UTC")


def test_missing_files_are_reported(tmp_path) -> None:
    with pytest.raises(ImportInputError, match="no such file"):
        import_files("funding", [Path(tmp_path / "nope.csv")], tmp_path / "data")
