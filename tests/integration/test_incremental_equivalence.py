"""Incremental builds give the same warehouse as a full refresh (issue 5, item 7).

A data directory is built the way the schedule builds it: a first (full) build, then
incremental builds after each landing, including a re-landed day inside the lookback window
with a changed rate. That warehouse is copied aside and the same raw files are built again
with ``--full-refresh``. Every table of the two warehouses must hold the same rows. (One data
directory, so dbt's partial-parse cache, keyed on the profile, serves every build.)
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import date, timedelta

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from orchestration.landing.landing import land_partition
from orchestration.landing.raw_schemas import ALL_DATASETS, FUNDING_RATES
from orchestration.sources.simulated import SimulationConfig, simulate_day

# Tables only the live source fills (the simulated market writes no fetch outcomes): empty in
# both warehouses is the right answer there, not a sign of a broken build.
LIVE_ONLY_TABLES = frozenset({"stg_live_outcomes"})

FIRST = date(2026, 10, 12)
INITIAL_LAST = date(2026, 11, 8)
INCREMENTS = ((date(2026, 11, 9), date(2026, 11, 10)), (date(2026, 11, 11), date(2026, 11, 11)))
RELANDED_DAY = date(2026, 11, 10)  # inside the 3-day lookback of the last build
SEED = 7
# Models only: the data tests are covered elsewhere and double the time of every build.
BUILD = ["build", "--resource-type", "model", "--resource-type", "seed"]
INCREMENTAL_MODELS = (
    "stg_funding_rates",
    "stg_premium_index",
    "stg_cftc_tff",
    "int_funding_intervals",
    "int_funding_settlements",
    "int_premium_hourly",
    "int_liquidations_hourly",
    "int_liquidations_venue_daily",
    "int_liquidation_cascades_daily",
    "int_liquidation_cascades_hourly",
    # daily aggregates of the per-settlement / per-hour models (issue 16)
    "int_basis_perp_daily",
    "int_funding_daily",
    "int_landed_rows_daily",
    "fct_basis",
    "fct_funding_daily",
)
# Views over an incremental model (no rows of their own): compared like the tables.
VIEWS = ("fct_funding_rates", "fct_liquidations_daily", "fct_liquidations_hourly",
         "fct_liquidation_cascades_daily", "fct_liquidation_cascades_hourly")


def _land(first: date, last: date) -> None:
    day = first
    while day <= last:
        tables = simulate_day(day, SEED, SimulationConfig())
        for dataset in ALL_DATASETS:
            land_partition(dataset, day, tables[dataset.name])
        day += timedelta(days=1)


def _reland_with_changed_rate(day: date) -> None:
    """Re-land ``day``'s funding partition with its first settlement's rate doubled."""
    table = simulate_day(day, SEED, SimulationConfig())[FUNDING_RATES.name]
    rates = table.column("rate").to_pylist()
    rates[0] = rates[0] * 2 + 0.0001
    index = table.schema.get_field_index("rate")
    changed = table.set_column(index, "rate", pa.array(rates, table.schema.field("rate").type))
    assert not pc.all(pc.equal(changed.column("rate"), table.column("rate"))).as_py()
    land_partition(FUNDING_RATES, day, changed)


def _dbt(args: list[str]) -> dict:
    from orchestration.warehouse.dbt_project import dbt_cli

    invocation = dbt_cli().cli(
        args, raise_on_error=False
    )
    invocation.wait()
    assert invocation.is_successful(), f"dbt {' '.join(args)} failed"
    return invocation.get_artifact("run_results.json")


def _compiled(run_results: dict, model: str) -> str:
    return next(
        r["compiled_code"] for r in run_results["results"] if r["unique_id"].endswith(f".{model}")
    )


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """(incremental warehouse, full-refresh warehouse, run results of the last increment)."""
    from orchestration import cli

    monkeypatch = pytest.MonkeyPatch()
    data_dir = tmp_path_factory.mktemp("incremental") / "data"
    saved = {k: os.environ.get(k) for k in ("PERP_FRAGILITY_DATA_DIR", "DAGSTER_HOME")}
    try:
        monkeypatch.setenv("PERP_FRAGILITY_DATA_DIR", str(data_dir))
        monkeypatch.setenv("DAGSTER_HOME", str(data_dir / "dagster_home"))
        cli.prepare()
        _land(FIRST, INITIAL_LAST)
        _dbt(BUILD)
        results = {}
        for first, last in INCREMENTS:
            _land(first, last)
            if last == INCREMENTS[-1][1]:
                _reland_with_changed_rate(RELANDED_DAY)
            results = _dbt(BUILD)
        incremental = data_dir.parent / "incremental.duckdb"
        shutil.move(data_dir / "warehouse.duckdb", incremental)
        _dbt([*BUILD, "--full-refresh"])
        yield {
            "incremental": incremental,
            "full": data_dir / "warehouse.duckdb",
            "last_results": results,
        }
    finally:
        monkeypatch.undo()
        for key, value in saved.items():
            if value is not None:
                os.environ[key] = value


def test_last_build_was_incremental_and_pruned_raw_partitions(warehouses):
    results = warehouses["last_results"]
    # the newest day the models held before the last build, less the 3-day lookback
    window_start = INCREMENTS[-2][1] - timedelta(days=3)
    for model in ("stg_funding_rates", "stg_premium_index"):
        sql = _compiled(results, model)
        assert f">= '{window_start.isoformat()}'" in sql, (model, sql[:800])
    context = f"cast('{window_start.isoformat()}' as date) - 1"  # the lag context day
    assert context in _compiled(results, "int_funding_intervals")
    # the cascade windows' context: 7 days of hours; the 30 grid days before the window start
    hours = f"cast('{window_start.isoformat()}' as date) - 7"
    assert hours in _compiled(results, "int_liquidation_cascades_hourly")
    days = _compiled(results, "int_liquidation_cascades_daily")
    assert f"where date < cast('{window_start.isoformat()}' as date)" in days
    assert "limit 30" in days


# Doubles may differ in the last digit: DuckDB's parallel sums add in the order rows are stored,
# and an incremental table stores them in another order than a fresh one.
RELATIVE_TOLERANCE = 1e-9


def _mismatched_rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Rows of ``table`` without an equal partner in the other warehouse: rows pair up on every
    non-double column (and their rank among equals); doubles must agree within the tolerance."""
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = 'fullref' and table_schema = 'main' and table_name = ? "
        "order by ordinal_position",
        [table],
    ).fetchall()
    doubles = [f'"{c}"' for c, t in columns if t in ("DOUBLE", "FLOAT")]
    keys = [f'"{c}"' for c, t in columns if t not in ("DOUBLE", "FLOAT")]
    order = ", ".join(doubles) or "1"
    partition = f"partition by {', '.join(keys)}" if keys else ""
    ranked = "select *, row_number() over ({p} order by {o}) as _rank from {db}.main.{t}"
    on = " and ".join(f"a.{k} is not distinct from b.{k}" for k in [*keys, "_rank"])
    differs = " or ".join(
        f"(a.{d} is distinct from b.{d} and not coalesce(abs(a.{d} - b.{d}) <= "
        f"{RELATIVE_TOLERANCE} * greatest(1, abs(a.{d})), false))"
        for d in doubles
    )
    query = (
        f"with a as ({ranked.format(p=partition, o=order, db='inc', t=table)}), "
        f"b as ({ranked.format(p=partition, o=order, db='fullref', t=table)}) "
        f"select count(*) from a full outer join b on {on} "
        f"where a._rank is null or b._rank is null {('or ' + differs) if differs else ''}"
    )
    return con.execute(query).fetchall()[0][0]


def test_incremental_and_full_refresh_warehouses_hold_the_same_rows(warehouses):
    con = duckdb.connect()
    con.execute(f"attach '{warehouses['incremental']}' as inc (read_only)")
    con.execute(f"attach '{warehouses['full']}' as fullref (read_only)")
    tables = [
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables "
            "where table_catalog = 'fullref' and table_schema = 'main' order by 1"
        ).fetchall()
    ]
    assert set(INCREMENTAL_MODELS) | set(VIEWS) <= set(tables)
    views = {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables "
            "where table_catalog = 'fullref' and table_type = 'VIEW'"
        ).fetchall()
    }
    assert set(VIEWS) <= views
    differences = {}
    for table in tables:
        counts = con.execute(
            f"select (select count(*) from inc.main.{table}), "
            f"(select count(*) from fullref.main.{table})"
        ).fetchall()[0]
        mismatched = _mismatched_rows(con, table)
        empty_is_wrong = table not in LIVE_ONLY_TABLES
        if mismatched or counts[0] != counts[1] or (counts[0] == 0 and empty_is_wrong):
            differences[table] = {"rows": counts, "mismatched": mismatched}
    assert not differences, json.dumps(differences, indent=1)


def test_the_relanded_rate_reached_the_marts(warehouses):
    con = duckdb.connect(str(warehouses["incremental"]), read_only=True)
    relanded = simulate_day(RELANDED_DAY, SEED, SimulationConfig())[FUNDING_RATES.name]
    first = relanded.slice(0, 1).to_pylist()[0]
    stored = con.execute(
        "select rate from fct_funding_rates where venue = ? and symbol = ? and funding_ts = ?",
        [first["venue"], first["symbol"], first["funding_ts"]],
    ).fetchall()
    assert stored == [(first["rate"] * 2 + 0.0001,)]


def _generic_tests_sql(args: list[str]) -> list[str]:
    results = _dbt(["test", "--select", "fct_funding_daily,test_type:generic", *args])
    compiled = [r["compiled_code"] for r in results["results"]]
    assert compiled and all(r["status"] == "pass" for r in results["results"]), results
    return compiled


def test_routine_data_tests_read_only_the_window_and_full_ones_every_row(warehouses):
    from orchestration.warehouse.test_window import tests_since

    since = INCREMENTS[-1][1] - timedelta(days=3)  # what the warehouse asset would pass
    monday = since - timedelta(days=since.weekday())
    with tests_since(since):  # the environment variable the warehouse asset sets
        windowed = _generic_tests_sql([])
    assert all(f"where date >= '{monday.isoformat()}'" in sql for sql in windowed), windowed[0]
    by_hand = _generic_tests_sql(["--vars", json.dumps({"test_since": since.isoformat()})])
    assert all(f"where date >= '{monday.isoformat()}'" in sql for sql in by_hand)
    assert not any(f"'{monday.isoformat()}'" in sql for sql in _generic_tests_sql([]))
