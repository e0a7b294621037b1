"""``perp-fragility run --datasets liquidations --start D --end D`` lands only the liquidations
(and their coverage record, without which every day would read unknown), and a run naming
other datasets does not contact the liquidation source. One simulated day through the real
option parsing and the project's ``daily_market_job``; the dbt build that ``run`` does after
the landing is not part of what is tested here (it has its own tests)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dagster as dg
import pytest

from orchestration import cli
from orchestration.commands import run as run_command

DAY = date(2026, 11, 9)  # an unwind day of the simulated story: liquidations happen


def _land(argv: list[str]) -> dg.ExecuteInProcessResult:
    """Parse ``run`` options as the CLI does, apply them, land DAY with the project's job."""
    from orchestration.definitions import defs

    args = cli.build_parser().parse_args(
        ["run", *argv, "--start", DAY.isoformat(), "--end", DAY.isoformat()])
    run_command.apply_options(args)
    job = defs().resolve_job_def("daily_market_job")
    return job.execute_in_process(partition_key=DAY.isoformat(),
                                  instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)


def _landed(data: Path) -> set[str]:
    """Raw datasets with a landed day partition (``raw/<domain>/<dataset>/dt=<day>/``); the
    empty schema files and the coverage plan are bookkeeping, not landed data."""
    return {p.parent.parent.name for p in (data / "raw").rglob("dt=*/*.parquet")}


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    data = tmp_path / "data"
    monkeypatch.setenv("PERP_FRAGILITY_DATA_DIR", str(data))
    monkeypatch.setenv("PERP_FRAGILITY_SOURCE", "simulated")
    monkeypatch.delenv("PERP_FRAGILITY_DATASETS", raising=False)
    return data


def test_datasets_liquidations_lands_only_liquidations(data_dir) -> None:
    result = _land(["--datasets", "liquidations"])
    assert result.success
    assert _landed(data_dir) == {"liquidations", "liquidation_coverage"}
    materialised = {e.asset_key.path[-1] for e in result.get_asset_materialization_events()}
    assert materialised == {"liquidations", "liquidation_coverage"}
    rows = {e.asset_key.path[-1]: e.materialization.metadata["dagster/row_count"].value
            for e in result.get_asset_materialization_events()}
    assert rows["liquidations"] > 0 and rows["liquidation_coverage"] > 0


def test_other_datasets_do_not_contact_the_liquidation_source(data_dir) -> None:
    result = _land(["--datasets", "funding_rates"])
    assert result.success
    assert _landed(data_dir) == {"funding_rates"}
