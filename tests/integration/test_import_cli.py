"""``perp-fragility import | imports | forget-import | rebuild-warehouse`` end to end, offline
(three warehouse builds: the slowest test of the import path, kept to one flow):
the first import into a fresh data directory builds the warehouse; a file with an unknown venue
exits non-zero and leaves every mart unchanged; bad inputs have their exit codes and one-line
errors; forgetting an import restores the marts as they were; every step is a Dagster run on
the instance in ``$DAGSTER_HOME`` with its materialisations and checks."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from orchestration import cli

HEADER = "venue,symbol,funding_ts,rate\n"
FIRST = HEADER + "".join(
    f"binance,ETH/USDT:USDT,2026-10-01T{h:02d}:00:00Z,0.0001\n" for h in (0, 8, 16))
SECOND = HEADER + "".join(
    f"okx,BTC/USDT:USDT,2026-09-15T{h:02d}:00:00+00:00,-0.0002\n" for h in (0, 8, 16))
UNKNOWN_VENUE = HEADER + ("binance,ETH/USDT:USDT,2026-09-20T00:00:00Z,0.0001\n"
                          "foo,ETH/USDT:USDT,2026-09-20T00:00:00Z,0.0001\n")
NAIVE = HEADER + "binance,ETH/USDT:USDT,2026-09-20 00:00:00,0.0001\n"
NOT_A_RATE = HEADER + "binance,ETH/USDT:USDT,2026-09-20T00:00:00Z,abc\n"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    data = tmp_path_factory.mktemp("imports") / "data"
    saved = {k: os.environ.get(k) for k in ("PERP_FRAGILITY_DATA_DIR", "DAGSTER_HOME")}
    os.environ["PERP_FRAGILITY_DATA_DIR"] = str(data)
    os.environ["DAGSTER_HOME"] = str(data / "dagster_home")
    yield data
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _file(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def _marts(data: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        names = [r[0] for r in con.sql(
            "select table_name from information_schema.tables where table_schema = 'main' "
            "and (table_name like 'fct_%' or table_name like 'dim_%') order by 1").fetchall()]
        return {n: con.sql(f"select * from main.{n} order by all").fetchall() for n in names}


def _exit(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as stopped:
        cli.main(argv)
    return stopped.value.code


def test_imports_are_safe_recorded_and_undoable(data_dir, tmp_path, capsys) -> None:
    import dagster as dg

    # 1. the first import into a fresh data directory lands and builds the warehouse
    assert not data_dir.exists()
    cli.main(["import", "funding", str(_file(tmp_path, "first.csv", FIRST))])
    out = capsys.readouterr().out
    assert "3 landed" in out and "rebuilt the warehouse" in out
    first_id = next(line.split()[2] for line in out.splitlines() if line.startswith("import id:"))
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        assert con.sql("select count(*) from main.fct_funding_rates").fetchall() == [(3,)]
        gaps = con.sql("select venue, status from main.fct_data_coverage_daily "
                       "where date = '2026-10-01' and dataset = 'funding_rates' "
                       "and base_asset = 'ETH' order by venue").fetchall()
    # binance ETH is complete on 10-01; every other configured venue's day is a 'missing' row
    assert ("binance", "ok") in gaps and ("okx", "missing") in gaps and len(gaps) == 5

    instance = dg.DagsterInstance.get()
    jobs = [r.job_name for r in instance.get_runs()]
    assert {"import_job", "warehouse_rebuild_job"} <= set(jobs)
    event = instance.get_latest_materialization_event(dg.AssetKey(["raw", "funding_rates"]))
    assert event.asset_materialization.metadata["import_id"].value == first_id
    check = instance.get_latest_asset_check_evaluation_record(
        dg.AssetCheckKey(dg.AssetKey(["raw", "funding_rates"]), "rows_match_configuration"))
    assert check is not None  # the rebuild run recorded the completeness check

    before = _marts(data_dir)
    assert before["fct_funding_daily"] and before["fct_data_coverage_daily"]

    # 3. an unknown venue: exit 1, counts and quarantine printed, every mart unchanged
    assert _exit(["import", "funding", str(_file(tmp_path, "bad.csv", UNKNOWN_VENUE))]) == 1
    out = capsys.readouterr().out
    assert "REFUSED" in out and "rejected 1: venue not configured" in out
    quarantine = Path(next(line.split("quarantine: ")[1] for line in out.splitlines()
                           if "quarantine: " in line))
    assert "foo" in quarantine.read_text()
    assert _marts(data_dir) == before
    assert instance.get_runs(limit=1)[0].status == dg.DagsterRunStatus.FAILURE

    # 4. rows that do not parse: exit 1 with the reason; unusable files: exit 2, one line
    assert _exit(["import", "funding", str(_file(tmp_path, "naive.csv", NAIVE))]) == 1
    assert "naive timestamp (no UTC offset)" in capsys.readouterr().out
    assert _exit(["import", "funding", str(_file(tmp_path, "abc.csv", NOT_A_RATE))]) == 1
    assert "rejected 1: not a number" in capsys.readouterr().out
    for path, message in ((_file(tmp_path, "empty.csv", ""), "is empty (0 bytes)"),
                          (tmp_path / "missing.csv", "no such file")):
        assert _exit(["import", "funding", str(path)]) == 2
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert _marts(data_dir) == before

    # 5. a second import changes the marts; forgetting it restores them exactly
    cli.main(["import", "funding", str(_file(tmp_path, "second.csv", SECOND))])
    out = capsys.readouterr().out
    second_id = next(line.split()[2] for line in out.splitlines() if line.startswith("import id:"))
    assert _marts(data_dir) != before
    cli.main(["imports"])
    listing = capsys.readouterr().out
    assert first_id in listing and second_id in listing and "refused" in listing
    # forget without its rebuild, then rebuild-warehouse: the marts as before the import
    cli.main(["forget-import", second_id, "--no-build"])
    assert f"forgot import {second_id}" in capsys.readouterr().out
    assert "forget_import_job" in {r.job_name for r in instance.get_runs()}
    cli.main(["rebuild-warehouse"])
    assert _marts(data_dir) == before
    assert _exit(["forget-import", second_id]) == 2
    assert "perp-fragility imports" in capsys.readouterr().err
