"""Back-test inputs: Binance premium/mark/index kline archives, FRED DTB3 and staking CSVs.

The fixtures (``tests/fixtures/binance_public_data``, ``tests/fixtures/reference``) are in the
published layouts: header and headerless klines, epoch ms and µs, FRED's ``.`` holidays."""

from __future__ import annotations

import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from orchestration.landing import landing
from orchestration.landing.raw_schemas import PREMIUM_INDEX, RATES
from orchestration.sources.importers import KINDS, ImportFormatError, import_files
from orchestration.sources.importers.binance_klines import epoch_auto

FIXTURES = Path(__file__).parents[1] / "fixtures"
KLINES = FIXTURES / "binance_public_data"
DTB3 = FIXTURES / "reference" / "fred_dtb3_sample.csv"
STAKING = FIXTURES / "reference" / "staking_apr_sample.csv"


def _zip(src: Path, folder: Path) -> Path:
    """The archive as data.binance.vision publishes it: ``<name>.zip`` holding ``<name>.csv``."""
    target = folder / src.with_suffix(".zip").name
    with zipfile.ZipFile(target, "w") as archive:
        archive.write(src, src.name)
    return target


def test_the_new_kinds_are_registered() -> None:
    for kind in ("binance-premium-index", "binance-mark-price", "binance-index-price",
                 "rates", "staking"):
        assert kind in KINDS


def test_epoch_unit_is_read_from_the_magnitude() -> None:
    assert epoch_auto("1709251200000") == datetime(2024, 3, 1, tzinfo=UTC)
    assert epoch_auto("1735689600000000") == datetime(2025, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="neither"):
        epoch_auto("1709251200")  # seconds: not a Binance kline time


def test_premium_index_klines_with_and_without_header(tmp_path) -> None:
    files = [_zip(KLINES / "premiumIndexKlines" / "BTCUSDT-1h-2024-03.csv", tmp_path),
             KLINES / "premiumIndexKlines" / "ETHUSDT-1h-2022-06.csv"]
    report = import_files("binance-premium-index", files, tmp_path / "data", allow_rejects=True)
    assert (report.rows_read, report.rows_landed, report.rejected) == (5, 5, 0)
    rows = landing.read_dataset(PREMIUM_INDEX, tmp_path / "data").to_pylist()
    btc = sorted((r for r in rows if r["base_asset"] == "BTC"), key=lambda r: r["ts"])
    assert [r["ts"] for r in btc] == [datetime(2024, 3, 1, h, tzinfo=UTC) for h in range(3)]
    assert [r["premium"] for r in btc] == [0.00052265, 0.00024970, -0.00003021]  # the closes
    assert {r["mark_price"] for r in rows} == {None} and {r["index_price"] for r in rows} == {None}
    eth = [r for r in rows if r["base_asset"] == "ETH"]
    assert eth[0]["symbol"] == "ETH/USDT:USDT" and eth[0]["ts"] == datetime(2022, 6, 1, tzinfo=UTC)
    assert eth[0]["source"] == "import:binance-premium-index"


def test_mark_and_index_klines_in_microseconds_meet_on_the_hour(tmp_path) -> None:
    data = tmp_path / "data"
    mark = import_files(
        "binance-mark-price", [KLINES / "markPriceKlines" / "BTCUSDT-1h-2025-01.csv"], data)
    index = import_files(
        "binance-index-price",
        [_zip(KLINES / "indexPriceKlines" / "BTCUSDT-1h-2025-01.csv", tmp_path)], data)
    rows = landing.read_dataset(PREMIUM_INDEX, data).to_pylist()
    first = {(r["source"], r["ts"]): r for r in rows}
    hour = datetime(2025, 1, 1, tzinfo=UTC)
    assert first[("import:binance-mark-price", hour)]["mark_price"] == 93912.32
    assert first[("import:binance-index-price", hour)]["index_price"] == 93865.35
    parts = {p.name for p in (data / "raw").rglob("dt=2025-01-01/*.parquet")}
    # one file per import (its id in the name, so forget-import removes exactly it)
    assert parts == {f"part-import-{mark.import_id}-binance-btc-usdt-usdt.parquet",
                     f"part-import-{index.import_id}-binance-btc-usdt-usdt.parquet"}


def test_broken_kline_rows_are_rejected_with_their_reason(tmp_path) -> None:
    path = tmp_path / "BTCUSDT-1h-2024-03.csv"
    good = (KLINES / "premiumIndexKlines" / "BTCUSDT-1h-2024-03.csv").read_text()
    path.write_text(good
                    + "1709262000000,0.1,0.1,0.1,abc,0,1709265599999,0,720,0,0,0\n"
                    + "1709262060000,0.1,0.1,0.1,0.1,0,1709265599999,0,720,0,0,0\n"
                    + "1709265600000,0.1,0.1,0.1,0.1,0,1709352000000,0,720,0,0,0\n"
                    + "1709269200000,0.1,0.1,0.1,nan,0,1709272799999,0,720,0,0,0\n")
    report = import_files("binance-premium-index", [path], tmp_path / "data", allow_rejects=True)
    assert report.rows_landed == 3
    assert report.rejected_by_reason == {
        "unreadable row: not a number": 1,
        "unreadable row: open time not on the hour": 1,
        "unreadable row: not a 1-hour candle (close_time - open_time)": 1,
        "non-finite premium": 1,
    }


@pytest.mark.parametrize(("name", "message"), [
    ("BTCUSDT-1d-2024-03.csv", "hourly"),
    ("premium.csv", "file name"),
    ("BTCUSDT_240329-1h-2024-03.csv", "not a perpetual"),
])
def test_wrong_archives_are_refused(tmp_path, name, message) -> None:
    path = tmp_path / name
    path.write_text((KLINES / "premiumIndexKlines" / "BTCUSDT-1h-2024-03.csv").read_text())
    with pytest.raises(ImportFormatError, match=message):
        import_files("binance-premium-index", [path], tmp_path / "data", allow_rejects=True)


def test_a_funding_archive_is_not_a_kline_file(tmp_path) -> None:
    path = tmp_path / "BTCUSDT-1h-2024-03.csv"
    path.write_text("calc_time,funding_interval_hours,last_funding_rate\n1704067200000,8,0.0001\n")
    with pytest.raises(ImportFormatError, match="premiumIndexKlines"):
        import_files("binance-premium-index", [path], tmp_path / "data", allow_rejects=True)


def test_fred_dtb3_as_published(tmp_path) -> None:
    report = import_files("rates", [DTB3], tmp_path / "data", allow_rejects=True)
    assert report.rejected_by_reason == {"no observation (FRED writes .)": 2}
    rows = landing.read_dataset(RATES, tmp_path / "data").to_pylist()
    by_day = {r["date"]: r for r in rows}
    assert date(2025, 12, 25) not in by_day and date(2026, 1, 1) not in by_day  # not filled
    assert by_day[date(2025, 12, 22)]["value"] == 0.036  # 3.60 % -> decimal fraction
    assert {r["series"] for r in rows} == {"usd_tbill_3m"}
    assert {r["is_filled"] for r in rows} == {False}
    assert report.rows_landed == len(rows) == report.rows_read - 2


def test_fred_older_date_header_and_wrong_series(tmp_path) -> None:
    old = tmp_path / "DTB3.csv"
    old.write_text("DATE,DTB3\n2021-03-01,0.04\n2021-03-02,0.05\n")
    import_files("rates", [old], tmp_path / "data", allow_rejects=True)
    values = sorted(r["value"] for r in landing.read_dataset(RATES, tmp_path / "data").to_pylist())
    assert values == [0.0004, 0.0005]
    wrong = tmp_path / "DGS10.csv"
    wrong.write_text("observation_date,DGS10\n2021-03-01,1.45\n")
    with pytest.raises(ImportFormatError, match="DTB3"):
        import_files("rates", [wrong], tmp_path / "data", allow_rejects=True)


def test_staking_csv(tmp_path) -> None:
    report = import_files("staking", [STAKING], tmp_path / "data", allow_rejects=True)
    assert (report.rows_landed, report.rejected) == (4, 0)
    rows = landing.read_dataset(RATES, tmp_path / "data").to_pylist()
    assert {r["series"] for r in rows} == {"eth_staking_apr"}
    assert {r["date"]: r["value"] for r in rows}[date(2023, 4, 12)] == 0.0512
    assert {r["date"]: r["value"] for r in rows}[date(2023, 4, 11)] == 0.0  # zero, as written


def test_staking_percent_and_bad_rows_are_rejected(tmp_path) -> None:
    path = tmp_path / "staking.csv"
    path.write_text("date,asset,apr\n2023-05-01,ETH,4.5\n2023-05-02,ETH,-0.01\n"
                    "2023-05-03,,0.04\n05/04/2023,ETH,0.04\n2023-05-05,ETH,0.04\n")
    report = import_files("staking", [path], tmp_path / "data", allow_rejects=True)
    assert report.rows_landed == 1 and report.rejected == 4
    assert report.rejects_path is not None and report.rejects_path.exists()
    with pytest.raises(ImportFormatError, match="date,asset,apr"):
        bad = tmp_path / "other.csv"
        bad.write_text("day,asset,apy\n2023-05-01,ETH,0.04\n")
        import_files("staking", [bad], tmp_path / "data", allow_rejects=True)


def test_an_old_empty_schema_file_gains_the_premium_column(tmp_path) -> None:
    """A data directory made before ``premium`` existed: its typed zero-row file is rewritten,
    so dbt's ``union_by_name`` read of the dataset still has the column."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    raw = tmp_path / "raw"
    target = landing.dataset_dir(PREMIUM_INDEX, raw) / "_empty" / "schema.parquet"
    target.parent.mkdir(parents=True)
    old = pa.schema([f for f in PREMIUM_INDEX.schema if f.name != "premium"])
    pq.write_table(old.empty_table(), target)
    landing.ensure_schema_files(raw)
    assert "premium" in pq.read_schema(target).names
