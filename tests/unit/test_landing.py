"""Raw landing: atomic, idempotent partitions; rejected rows quarantined with a reason."""

from datetime import UTC, date, datetime

import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.landing import landing
from orchestration.landing.raw_schemas import ALL_DATASETS, FUNDING_RATES, OHLCV_DAILY

DAY = date(2026, 11, 16)


def _funding(rows: list[tuple[str, float | None, datetime]]) -> pa.Table:
    return pa.table(
        {
            "source": ["test"] * len(rows),
            "venue": [r[0] for r in rows],
            "symbol": ["ETH/USDT:USDT"] * len(rows),
            "base_asset": ["ETH"] * len(rows),
            "funding_ts": pa.array([r[2] for r in rows], pa.timestamp("us", tz="UTC")),
            "rate": pa.array([r[1] for r in rows], pa.float64()),
        }
    )


def _ts(hour: int) -> datetime:
    return datetime(2026, 11, 16, hour, tzinfo=UTC)


def test_land_writes_contract_schema_sorted_and_replaces_on_rerun(tmp_path):
    table = _funding([("okx", 0.0002, _ts(8)), ("binance", 0.0001, _ts(0))])
    first = landing.land_partition(FUNDING_RATES, DAY, table, data_root=tmp_path)
    assert first.path == (tmp_path / "raw/exchange/funding_rates/dt=2026-11-16/part-0.parquet")
    written = pq.read_table(first.path)
    assert written.schema == FUNDING_RATES.schema
    assert written.column("venue").to_pylist() == ["binance", "okx"]
    assert written.column("interval_hours").null_count == 2  # missing column -> null, kept

    second = landing.land_partition(FUNDING_RATES, DAY, table.slice(0, 1), data_root=tmp_path)
    assert second.path == first.path
    assert pq.read_table(second.path).num_rows == 1  # replaced, not appended
    assert not list(first.path.parent.glob(".tmp-*"))  # no temp file left behind


def test_same_rows_give_identical_bytes(tmp_path):
    table = _funding([("binance", 0.0001, _ts(0)), ("binance", 0.0001, _ts(8))])
    a = landing.land_partition(FUNDING_RATES, DAY, table, data_root=tmp_path / "a")
    b = landing.land_partition(FUNDING_RATES, DAY, table, data_root=tmp_path / "b")
    assert a.path.read_bytes() == b.path.read_bytes()


def test_bad_rows_are_quarantined_with_reasons_not_dropped(tmp_path):
    table = _funding(
        [
            ("binance", 0.0001, _ts(0)),
            ("binance", 0.0001, _ts(0)),  # duplicate key
            ("binance", float("nan"), _ts(8)),
            ("binance", None, _ts(16)),
            ("bybit", float("inf"), _ts(0)),
        ]
    )
    result = landing.land_partition(FUNDING_RATES, DAY, table, data_root=tmp_path)
    assert result.rows == 1
    assert result.rejected == 4
    assert result.rejected_by_reason == {
        "duplicate key": 1,
        "non-finite rate": 2,
        "missing rate": 1,
    }
    quarantined = pq.read_table(result.quarantine_path)
    assert quarantined.num_rows == 4
    assert "reject_reason" in quarantined.column_names
    # a clean re-run removes the stale quarantine file of that partition
    clean = landing.land_partition(FUNDING_RATES, DAY, table.slice(0, 1), data_root=tmp_path)
    assert clean.rejected == 0 and not result.quarantine_path.exists()


def test_negative_and_zero_prices_are_rejected(tmp_path):
    ts = pa.array([datetime(2026, 11, 16, tzinfo=UTC)] * 2, pa.timestamp("us", tz="UTC"))
    table = pa.table(
        {
            "venue": ["binance", "okx"],
            "symbol": ["ETH/USDT", "ETH/USDT"],
            "base_asset": ["ETH", "ETH"],
            "market_type": ["spot", "spot"],
            "ts": ts,
            "close": [-1.0, 0.0],
            "volume_base": [1.0, 2.0],
        }
    )
    valid, rejected = landing.split_valid(OHLCV_DAILY, table)
    assert valid.num_rows == 0
    assert rejected.column("reject_reason").to_pylist() == ["non-positive close"] * 2


def test_schema_files_exist_for_every_dataset(tmp_path):
    landing.ensure_schema_files(tmp_path)
    for dataset in ALL_DATASETS:
        empty = pq.read_table(landing.dataset_dir(dataset, tmp_path) / "_empty/schema.parquet")
        assert empty.num_rows == 0 and empty.schema == dataset.schema


def test_landed_files_are_readable_by_group_and_others_under_the_umask(tmp_path):
    """mkstemp creates 0600; landed Parquet follows the process umask like open() (0644 with
    022), so another service user can read the lake."""
    import os
    import stat

    table = _funding([("binance", 0.0001, _ts(0))])
    path = landing.land_partition(FUNDING_RATES, DAY, table, data_root=tmp_path).path
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask
    if mask == 0o022:
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
