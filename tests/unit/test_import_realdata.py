"""Real recorded funding histories (``../shared/data``, skipped when absent), imported through
``import_files`` with their time zones declared, checked against each other.

* ``funding-8h-supervik`` writes Binance/Bybit times in UTC+3 (settlements show at 03/11/19 h)
  with millisecond jitter; ``perp-spot-8h-ahahh/all_exchanges.csv`` writes UK local time
  (Europe/London, with summer time). Converted to the generic CSV with explicit offsets, their
  Binance ETHUSDT 2023 settlements must coincide one for one, with identical rates.
* The Binance website export (UK local time, rates as percent with 6 decimals) must agree with
  supervik's BTCUSDT to the export's display precision (1e-8).
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from orchestration.landing import landing
from orchestration.landing.raw_schemas import FUNDING_RATES
from orchestration.sources.importers import import_files

pytestmark = pytest.mark.realdata

UTC_PLUS_3 = timedelta(hours=3)
LONDON = ZoneInfo("Europe/London")
YEAR = 2023
SUPERVIK = "funding-8h-supervik/{}-USDT_binance_2020-01-01_2024-01-01_funding_history.csv"
EXPORT = "perp-spot-8h-ahahh/Funding_Rate_History_BTCUSDT_Perpetual_2024-08-09.csv"


def _in_year(ts: datetime) -> bool:
    return datetime(YEAR, 1, 1, tzinfo=UTC) - timedelta(days=1) <= ts < datetime(
        YEAR + 1, 1, 2, tzinfo=UTC)


def _supervik_to_generic(src: Path, dst: Path, symbol: str) -> Path:
    with src.open() as handle, dst.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["venue", "symbol", "funding_ts", "rate"])
        for row in csv.DictReader(handle):
            local = datetime.fromisoformat(row["Date"])
            stamp = local.replace(tzinfo=UTC) - UTC_PLUS_3
            if _in_year(stamp):
                writer.writerow(["binance", symbol, local.isoformat() + "+03:00",
                                 row["Funding Rate"]])
    return dst


def _ahahh_to_generic(src: Path, dst: Path) -> Path:
    with src.open() as handle, dst.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["venue", "symbol", "funding_ts", "rate"])
        for row in csv.DictReader(handle):
            if (row["exchange"], row["pair"], row["contract"]) != ("binance", "ETHUSDT",
                                                                    "perpetual"):
                continue
            local = datetime.fromisoformat(row["time"]).replace(tzinfo=LONDON)  # fold=0: BST
            if _in_year(local.astimezone(UTC)):
                writer.writerow(["binance", "ETH/USDT:USDT", local.isoformat(),
                                 row["funding rate"]])
    return dst


def _export_subset(src: Path, dst: Path) -> Path:
    """The 2023 lines of the website export, byte format kept (BOM, quotes, newest first)."""
    lines = src.read_text(encoding="utf-8-sig").splitlines()
    kept = [lines[0]] + [line for line in lines[1:] if line.startswith(f'"{YEAR}-')
                         or line.startswith(f'"{YEAR + 1}-01-01')]
    dst.write_text("\ufeff" + "\n".join(kept) + "\n", encoding="utf-8")
    return dst


def _settlements(root: Path) -> dict[datetime, float]:
    rows = landing.read_dataset(FUNDING_RATES, root).to_pylist()
    return {r["funding_ts"]: r["rate"] for r in rows if r["funding_ts"].year == YEAR}


def test_binance_ethusdt_2023_agrees_across_sources_and_time_zones(shared_data, tmp_path) -> None:
    supervik = _supervik_to_generic(
        shared_data / SUPERVIK.format("ETH"),
        tmp_path / "supervik_eth.csv", "ETH/USDT:USDT")
    ahahh = _ahahh_to_generic(shared_data / "perp-spot-8h-ahahh" / "all_exchanges.csv",
                              tmp_path / "ahahh_eth.csv")
    a = import_files("funding", [supervik], tmp_path / "a")
    b = import_files("funding", [ahahh], tmp_path / "b")
    assert a.rejected == 0 and b.rejected == 0
    left, right = _settlements(tmp_path / "a"), _settlements(tmp_path / "b")
    assert {ts.hour for ts in left} == {0, 8, 16} == {ts.hour for ts in right}
    common = set(left) & set(right)
    agree = [ts for ts in common if left[ts] == right[ts]]
    assert len(agree) >= 1094  # README: 1,094; both files hold all 1,095 settlements of 2023
    assert len(agree) == len(common) == len(left) == len(right) == 365 * 3


def test_binance_website_export_matches_supervik_btcusdt(shared_data, tmp_path) -> None:
    export = _export_subset(
        shared_data / EXPORT,
        tmp_path / "Funding_Rate_History_BTCUSDT_Perpetual_2023.csv")
    supervik = _supervik_to_generic(
        shared_data / SUPERVIK.format("BTC"),
        tmp_path / "supervik_btc.csv", "BTC/USDT:USDT")
    e = import_files("binance-funding-export", [export], tmp_path / "e", tz="Europe/London")
    s = import_files("funding", [supervik], tmp_path / "s")
    assert e.rejected == 0 and s.rejected == 0
    left, right = _settlements(tmp_path / "e"), _settlements(tmp_path / "s")
    assert set(left) == set(right) and len(left) == 365 * 3
    worst = max(abs(left[ts] - right[ts]) for ts in left)
    assert worst <= 1.0001e-8  # the export shows 6 decimals of a percent
