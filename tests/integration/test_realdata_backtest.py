"""``perp-fragility backtest`` on real history at a small scale (marker ``realdata``).

Binance only: ETH and BTC funding 2022-01 .. 2024-06 (``funding-8h-supervik`` in UTC+3, then
``perp-spot-8h-ahahh`` in UK time) and the daily spot closes of 2023-01 .. 2024-06, landed with
the project's own import kinds, built with dbt, then back-tested. Checked against pandas
computations from the raw price file (not from the project's code): the forward return and
drawdown of ``fct_fragility_forward``, and the Spearman of the back-test. Skips with the reason
where ``../shared/data`` is absent. docs/validation.md ("Track record") has the full-scale run.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import SHARED_DATA

pytestmark = pytest.mark.realdata

if not SHARED_DATA.is_dir():
    pytest.skip(
        f"real recorded data not found at {SHARED_DATA} (only in the project's workspace)",
        allow_module_level=True,
    )

import duckdb  # noqa: E402

from orchestration.commands.backtest import backtest  # noqa: E402
from orchestration.landing import landing  # noqa: E402
from orchestration.lib.backtest import UNSCORED_REGIMES, spearman  # noqa: E402
from orchestration.sources.importers import import_files  # noqa: E402
from tests import realdata_support as rs  # noqa: E402

PROJECT = Path(__file__).resolve().parents[2]
FIRST_FUNDING = "2022-01-01"


def _binance_since(src: Path, dst: Path, ts_column: str) -> Path:
    """The generic CSV cut to Binance rows from FIRST_FUNDING on (the small scale)."""
    with src.open(newline="") as handle, dst.open("w", newline="") as out:
        reader = csv.DictReader(handle)
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames or [])
        writer.writeheader()
        for row in reader:
            if row["venue"] == "binance" and row[ts_column] >= FIRST_FUNDING:
                writer.writerow(row)
    return dst


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("realdata-backtest")
    data = tmp / "data"
    landing.ensure_schema_files(data / "raw")
    src = SHARED_DATA / rs.ALL_EXCHANGES
    supervik, _ = rs.write_generic_supervik_funding(SHARED_DATA, tmp / "supervik_all.csv")
    ahahh, _ = rs.write_generic_funding(src, tmp / "ahahh_all.csv")
    prices, _ = rs.write_generic_prices(src, tmp / "prices_all.csv")
    for kind, path, column in (("funding", supervik, "funding_ts"),
                               ("funding", ahahh, "funding_ts"), ("prices", prices, "ts")):
        report = import_files(kind, [_binance_since(path, tmp / f"small_{path.name}", column)],
                              data)
        assert report.rejected == 0 and report.rows_landed > 0, report.describe()
    result = rs.run_dbt_build(PROJECT / "dbt_project", data, tmp)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + "\n" + result.stderr).splitlines()[-40:])
        pytest.fail(f"dbt build failed on the real data (exit {result.returncode}):\n{tail}")
    return data / "warehouse.duckdb"


@pytest.fixture(scope="module")
def forward(warehouse: Path) -> pd.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return conn.sql("select * from fct_fragility_forward order by base_asset, iso_week").df()


def _spot_closes() -> pd.DataFrame:
    """Binance spot daily closes from the raw 8 h bars: the bar opening 16:00 UTC."""
    raw = rs.read_raw(SHARED_DATA / rs.ALL_EXCHANGES)
    spot = raw[(raw["venue"] == "binance") & (raw["contract"] == "spot")
               & raw["pair"].isin(list(rs.SPOT_PAIRS))].sort_values("ts")
    daily = spot.groupby(["asset", "date"]).agg(close=("close", "last"), bars=("close", "size"))
    return daily[daily["bars"] == rs.BARS_PER_DAY].reset_index()


def test_forward_returns_and_drawdowns_match_the_raw_closes(forward: pd.DataFrame) -> None:
    closes = _spot_closes()
    checked = 0
    for asset in ("ETH", "BTC"):
        series = closes[closes["asset"] == asset].set_index("date")["close"]
        rows = forward[forward["base_asset"] == asset]
        for _, row in rows.iterrows():
            end = pd.Timestamp(row["week_end"]).date()
            for h in (1, 2, 4):
                window = series.loc[end: end + pd.Timedelta(days=7 * h)]
                complete = len(window) == 7 * h + 1 and window.index[0] == end
                got_ret, got_dd = row[f"forward_return_{h}w"], row[f"forward_max_drawdown_{h}w"]
                if not complete:
                    assert pd.isna(got_ret) and pd.isna(got_dd), (asset, row["iso_week"], h)
                    continue
                expected_dd = (window / window.cummax() - 1).min()
                assert got_ret == pytest.approx(window.iloc[-1] / window.iloc[0] - 1, abs=1e-9)
                assert got_dd == pytest.approx(expected_dd, abs=1e-9)
                checked += 1
    assert checked > 400  # ~77 weeks x 3 horizons x 2 assets, less the last weeks


def test_backtest_prints_its_table_and_agrees_with_pandas(warehouse, forward, tmp_path,
                                                          capsys) -> None:
    out = tmp_path / "backtest.json"
    result = backtest(warehouse, 4, out)
    printed = capsys.readouterr().out
    print(printed)  # the table, for -s
    assert "Spearman" in printed and "Episodes" in printed
    payload = json.loads(out.read_text())
    assert {r["asset"] for r in payload["results"]} == {"ETH", "BTC"}
    for asset in ("ETH", "BTC"):
        for h in (1, 2, 4):
            full = result.result(asset, h, "full")
            assert full is not None and full.n >= 16, (asset, h)
            sample = forward[(forward["base_asset"] == asset)
                             & forward["fragility_index"].notna()
                             & ~forward["regime"].isin(list(UNSCORED_REGIMES))
                             & forward[f"forward_max_drawdown_{h}w"].notna()]
            assert full.n == len(sample)
            expected = sample[["fragility_index", f"forward_max_drawdown_{h}w"]].corr(
                method="spearman").iloc[0, 1]  # pandas' own Spearman, not the project's
            assert full.spearman("fragility_index") == pytest.approx(expected, abs=1e-12)
            assert spearman(sample["fragility_index"],
                            sample[f"forward_max_drawdown_{h}w"]) == pytest.approx(expected)
            first, second = (result.result(asset, h, s) for s in ("first half", "second half"))
            assert first.n + second.n == full.n and first.last_week < second.first_week
            assert second.episode_threshold == first.episode_threshold
            # the episodes come from prices: each onset's drawdown is at the threshold or worse
            assert all(e.worst_drawdown <= full.episode_threshold for e in full.episodes)
