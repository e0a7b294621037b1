"""``perp-fragility import liquidations FILE`` goes through the shared import safety, offline and
without a warehouse build (``--no-build``; the build after an import is covered by
test_import_cli.py): a row of an unconfigured venue refuses the import (exit 1, the row
quarantined with its reason, nothing landed); ``--allow-rejects`` lands the valid rows under an
import id; ``forget-import`` removes exactly those rows."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestration import cli
from orchestration.landing import landing
from orchestration.landing.raw_schemas import LIQUIDATIONS

EXPORT = (
    "venue,symbol,liquidated_at,side,price,amount_base,notional_usd\n"
    "binance,BTC/USDT:USDT,2026-10-10T21:15:03Z,long,112000,0.5,\n"
    "foo,BTC/USDT:USDT,2026-10-10T21:16:00Z,long,111900,0.1,\n"
)


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    data = tmp_path / "data"
    saved = {k: os.environ.get(k) for k in ("PERP_FRAGILITY_DATA_DIR", "DAGSTER_HOME",
                                            "PERP_FRAGILITY_VENUES")}
    os.environ["PERP_FRAGILITY_DATA_DIR"] = str(data)
    os.environ["DAGSTER_HOME"] = str(data / "dagster_home")
    os.environ.pop("PERP_FRAGILITY_VENUES", None)  # the seed venues: foo is not one of them
    yield data
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _exit(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as stopped:
        cli.main(argv)
    return stopped.value.code


def _rows(data: Path) -> list[dict]:
    if not list(landing.dataset_dir(LIQUIDATIONS, data / "raw").glob("dt=*/*.parquet")):
        return []
    return landing.read_dataset(LIQUIDATIONS, data).to_pylist()


def test_liquidation_import_is_screened_recorded_and_undoable(data_dir, tmp_path, capsys):
    export = tmp_path / "export.csv"
    export.write_text(EXPORT)

    # an unknown venue refuses the whole import: exit 1, the reason and quarantine printed
    assert _exit(["import", "liquidations", str(export), "--no-build"]) == 1
    out = capsys.readouterr().out
    assert "REFUSED" in out and "rejected 1: venue not configured" in out
    quarantine = Path(next(line.split("quarantine: ")[1] for line in out.splitlines()
                           if "quarantine: " in line))
    assert "foo" in quarantine.read_text()
    assert _rows(data_dir) == []

    # --allow-rejects lands the valid row under an import id, the foo row still quarantined
    cli.main(["import", "liquidations", str(export), "--allow-rejects", "--no-build"])
    out = capsys.readouterr().out
    assert "rejected 1: venue not configured" in out
    import_id = next(line.split()[2] for line in out.splitlines() if line.startswith("import id:"))
    assert import_id.startswith("liquidations-")
    assert [(r["venue"], r["side"], r["notional_usd"], r["capture"]) for r in _rows(data_dir)] \
        == [("binance", "long", 56000.0, "import")]

    cli.main(["imports"])
    assert import_id in capsys.readouterr().out

    # forgetting it removes its rows; a second forget is a one-line error, exit 2
    cli.main(["forget-import", import_id, "--no-build"])
    assert f"forgot import {import_id}" in capsys.readouterr().out
    assert _rows(data_dir) == []
    assert _exit(["forget-import", import_id, "--no-build"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
