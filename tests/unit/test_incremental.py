"""When the warehouse build must be a full refresh instead of an incremental one."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from orchestration.warehouse import incremental


@pytest.fixture
def warehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("PERP_FRAGILITY_DATA_DIR", str(tmp_path))
    return tmp_path / "warehouse.duckdb"


def _funding_up_to(path, last: str) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create table stg_funding_rates (funding_ts timestamptz)")
        con.execute(
            "insert into stg_funding_rates values ('2026-11-01 00:00:00+00'), (?)",
            [f"{last} 16:00:00+00"],
        )


def test_lookback_comes_from_dbt_project_vars():
    assert incremental.lookback_days() == 3


def test_no_warehouse_or_no_table_means_a_first_build_not_a_refresh(warehouse):
    assert incremental.warehouse_high_water() is None
    assert not incremental.needs_full_refresh(date(2020, 1, 1))
    duckdb.connect(str(warehouse)).close()
    assert incremental.warehouse_high_water() is None


def test_days_inside_the_window_stay_incremental_older_days_refresh(warehouse):
    _funding_up_to(warehouse, "2026-11-11")
    assert incremental.warehouse_high_water() == date(2026, 11, 11)
    assert not incremental.needs_full_refresh(None)
    assert not incremental.needs_full_refresh(date(2026, 11, 12))  # the usual next day
    assert not incremental.needs_full_refresh(date(2026, 11, 8))  # re-reads 11-08 onwards
    assert incremental.needs_full_refresh(date(2026, 11, 7))
    assert incremental.needs_full_refresh(date(2024, 1, 1))  # a history backfill
