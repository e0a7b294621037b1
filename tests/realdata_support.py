"""Helpers of the real-data validation (``tests/integration/test_realdata_validation.py``).

Two halves, kept apart on purpose:

* **Conversion** (``write_generic_*``): ``perp-spot-8h-ahahh/all_exchanges.csv`` (8-hour bars,
  ``time`` in UK local time) into the project's generic import CSVs. Timestamps are written
  with the *local* UK offset of each row (``+00:00`` in winter, ``+01:00`` in summer time),
  computed with ``zoneinfo`` row by row, so the importer does the conversion to UTC.
* **Expectations** (``expected_*``): the same raw file read again with pandas, converted to UTC
  with pandas' own time-zone code, and the numbers the marts should hold computed from it.

A mistake in one half (time zone, bar alignment, symbol mapping) therefore shows up as a
mismatch instead of being copied into both sides.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

LONDON = ZoneInfo("Europe/London")
ALL_EXCHANGES = Path("perp-spot-8h-ahahh") / "all_exchanges.csv"
CFTC_CSV = Path("cftc-tff") / "tff_futonly_crypto_btc_eth.csv"
BTC_ETF_CSV = Path("etf-flows-farside") / "bitcoin_etf_flows_wide_daily.csv"
BTC_ETF_TOTALS = Path("etf-flows-farside") / "bitcoin_etf_totals_daily.csv"

VENUES = ("binance", "bybit", "okx")
ASSETS = {"ethereum": "ETH", "bitcoin": "BTC"}
# USDT-margined perpetuals only (the coin-margined ``*USDCM`` series are left out: a second
# perpetual of the same venue and asset would be averaged into the venue's daily funding).
PERP_PAIRS = {"ETHUSDT": "ETH/USDT:USDT", "BTCUSDT": "BTC/USDT:USDT"}
SPOT_PAIRS = {"ETH/USDT": "ETH/USDT", "BTC/USDT": "BTC/USDT"}
BARS_PER_DAY = 3
BASELINE_8H = {"binance": 0.0001, "bybit": 0.0001, "okx": 0.0}


# --------------------------------------------------------------------------- conversion


def _local(text: str) -> datetime:
    """UK wall-clock time -> aware datetime. ``fold=0``: an hour that occurs twice (the
    October switch) is read as the first, summer-time one; the file's only such row
    (2023-10-29 01:00) is the 00:00 UTC bar, which is that reading."""
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


def write_generic_funding(src: Path, dst: Path) -> tuple[Path, int]:
    """USDT-perp funding settlements as ``venue,symbol,funding_ts,rate`` (no interval column:
    the warehouse infers it from the UTC spacing, which is what the 8 h check tests)."""
    rows = 0
    with src.open(newline="") as handle, dst.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["venue", "symbol", "funding_ts", "rate"])
        for row in csv.DictReader(handle):
            symbol = PERP_PAIRS.get(row["pair"])
            if row["contract"] != "perpetual" or symbol is None or not row["funding rate"]:
                continue
            writer.writerow([row["exchange"], symbol, _local(row["time"]).isoformat(),
                             row["funding rate"]])
            rows += 1
    return dst, rows


def write_generic_prices(src: Path, dst: Path) -> tuple[Path, int]:
    """Daily candles of the USDT perpetual and the spot pair from the 8 h bars, as
    ``venue,symbol,ts,open,high,low,close,volume_base``. A bar's ``time`` is its open; the
    day's close is the close of the bar that opens at 16:00 UTC (the last of the UTC day),
    open the first bar's open, high/low the extremes, volume the sum. Days with fewer than
    three bars (the file ends with the 2024-07-01 00:00 bar) are not written."""
    days: dict[tuple[str, str, str], list[tuple[datetime, dict[str, str]]]] = {}
    with src.open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["contract"] == "perpetual":
                symbol = PERP_PAIRS.get(row["pair"])
            elif row["contract"] == "spot":
                symbol = SPOT_PAIRS.get(row["pair"])
            else:
                symbol = None
            if symbol is None:
                continue
            utc = _local(row["time"]).astimezone(ZoneInfo("UTC"))
            key = (row["exchange"], symbol, utc.date().isoformat())
            days.setdefault(key, []).append((utc, row))
    written = 0
    with dst.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["venue", "symbol", "ts", "open", "high", "low", "close", "volume_base"])
        for (venue, symbol, day), bars in sorted(days.items()):
            if len(bars) < BARS_PER_DAY:
                continue
            bars.sort(key=lambda b: b[0])
            volumes = [b[1]["volume"] for b in bars]
            writer.writerow([
                venue, symbol, f"{day}T00:00:00+00:00",
                bars[0][1]["open"],
                repr(max(float(b[1]["high"]) for b in bars)),
                repr(min(float(b[1]["low"]) for b in bars)),
                bars[-1][1]["close"],
                repr(sum(float(v) for v in volumes)) if all(volumes) else "",
            ])
            written += 1
    return dst, written


SUPERVIK = Path("funding-8h-supervik")
SUPERVIK_OFFSET = "+03:00"  # the fetcher wrote fixed UTC+3 wall-clock times (SOURCES.md)
SUPERVIK_VENUES = ("binance", "bybit")  # the dYdX files are 1 h with an unverified zone


def write_generic_supervik_funding(shared: Path, dst: Path) -> tuple[Path, int]:
    """Binance (2020-2023) and Bybit (2021-2023) ETH/BTC USDT-perp funding from
    ``funding-8h-supervik`` as ``venue,symbol,funding_ts,rate``, each time written with the
    file's fixed ``+03:00`` offset so the importer converts it to UTC."""
    rows = 0
    with dst.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["venue", "symbol", "funding_ts", "rate"])
        for path in sorted((shared / SUPERVIK).glob("*-USDT_*_funding_history.csv")):
            base, venue = path.name.split("-USDT_")[0], path.name.split("_")[1]
            if venue not in SUPERVIK_VENUES:
                continue
            with path.open(newline="") as handle:
                for row in csv.DictReader(handle):
                    stamp = datetime.fromisoformat(row["Date"]).replace(microsecond=0)
                    writer.writerow([venue, f"{base}/USDT:USDT",
                                     stamp.isoformat() + SUPERVIK_OFFSET, row["Funding Rate"]])
                    rows += 1
    return dst, rows


# --------------------------------------------------------------------------- expectations


def read_raw(src: Path) -> pd.DataFrame:
    """The raw file with ``ts`` in UTC (pandas' own conversion) and the project's names."""
    frame = pd.read_csv(src)  # pandas >= 2 parses floats exactly as float(text)
    local = pd.to_datetime(frame["time"]).dt.tz_localize(
        "Europe/London", ambiguous=True, nonexistent="raise")  # ambiguous=True: summer time
    frame["ts"] = local.dt.tz_convert("UTC")
    frame["date"] = frame["ts"].dt.date
    frame["asset"] = frame["crypto"].map(ASSETS)
    frame["venue"] = frame["exchange"]
    return frame


def expected_funding(raw: pd.DataFrame) -> pd.DataFrame:
    """USDT-perp settlements: venue, asset, ts, date, rate, excess over the baseline."""
    perp = raw[(raw["contract"] == "perpetual") & raw["pair"].isin(list(PERP_PAIRS))]
    out = perp[["venue", "asset", "ts", "date", "funding rate"]].rename(
        columns={"funding rate": "rate"}).dropna(subset=["rate"]).copy()
    out["excess"] = out["rate"] - out["venue"].map(BASELINE_8H)
    return out.sort_values(["venue", "asset", "ts"]).reset_index(drop=True)


def expected_annual_funding(funding: pd.DataFrame) -> pd.DataFrame:
    """Per venue, asset and calendar year: settlements, covered days (UTC dates with a
    settlement, full days only: the 2024-07-01 00:00 settlement alone is left out), the
    realised APR = sum(rate) * 365 / days, the share at the 0.01 % baseline and negative."""
    full = funding.groupby(["venue", "asset", "date"])["rate"].transform("size") == BARS_PER_DAY
    frame = funding[full].copy()
    frame["year"] = pd.to_datetime(frame["date"]).dt.year
    grouped = frame.groupby(["venue", "asset", "year"])
    out = grouped.agg(
        settlements=("rate", "size"),
        days=("date", "nunique"),
        rate_sum=("rate", "sum"),
        at_baseline=("excess", lambda s: int((s.abs() < 1e-7).sum())),
        negative=("rate", lambda s: int((s < 0).sum())),
        mean_rate=("rate", "mean"),
    ).reset_index()
    out["realised_apr"] = out["rate_sum"] * 365 / out["days"]
    out["share_at_baseline"] = out["at_baseline"] / out["settlements"]
    out["share_negative"] = out["negative"] / out["settlements"]
    return out


def expected_daily_closes(raw: pd.DataFrame) -> pd.DataFrame:
    """Per venue, asset and UTC date: perp and spot close (last 8 h bar of the day, i.e. the
    bar opening 16:00 UTC) and the close premium perp / spot - 1; full days only."""
    kinds = {**{p: "perp" for p in PERP_PAIRS}, **{p: "spot" for p in SPOT_PAIRS}}
    bars = raw[raw["pair"].isin(list(kinds))].copy()
    bars["kind"] = bars["pair"].map(kinds)
    bars = bars.sort_values("ts")
    daily = bars.groupby(["venue", "asset", "date", "kind"]).agg(
        close=("close", "last"), bars=("close", "size"), last_hour=("ts", "last"))
    daily = daily[daily["bars"] == BARS_PER_DAY].reset_index()
    assert (daily["last_hour"].dt.hour == 16).all()
    wide = daily.pivot_table(index=["venue", "asset", "date"], columns="kind",
                             values="close").reset_index()
    wide["premium"] = wide["perp"] / wide["spot"] - 1
    return wide


CFTC_UNITS = {"133741": 5.0, "133742": 0.1, "146021": 50.0, "146022": 0.1}
CFTC_ASSET = {"133741": "BTC", "133742": "BTC", "146021": "ETH", "146022": "ETH"}


def read_cftc(src: Path) -> pd.DataFrame:
    """The CFTC TFF rows (space-padded numbers) with the columns the band needs."""
    raw = pd.read_csv(src, skipinitialspace=True, dtype=str)
    out = pd.DataFrame({
        "code": raw["CFTC_Contract_Market_Code"].str.strip(),
        "report_date": pd.to_datetime(raw["Report_Date_as_YYYY-MM-DD"].str.strip()).dt.date,
    })
    for name, column in (("oi", "Open_Interest_All"), ("long", "Lev_Money_Positions_Long_All"),
                         ("short", "Lev_Money_Positions_Short_All")):
        out[name] = pd.to_numeric(raw[column].str.strip())
    out["asset"] = out["code"].map(CFTC_ASSET)
    out["units"] = out["code"].map(CFTC_UNITS)
    return out


def expected_cme_positions(cftc: pd.DataFrame, asset: str, day) -> dict[str, float]:
    """As of ``day``: each market's latest report with report_date <= day, in base units."""
    latest = cftc[(cftc["asset"] == asset) & (cftc["report_date"] <= day)].sort_values(
        "report_date").groupby("code").tail(1)
    units = latest["units"]
    return {
        "oi_base": float((latest["oi"] * units).sum()),
        "net_short_base": float(((latest["short"] - latest["long"]).clip(lower=0) * units).sum()),
        "gross_short_base": float((latest["short"] * units).sum()),
        "report_date": latest["report_date"].max() if len(latest) else None,
    }


# --------------------------------------------------------------------------- dbt


def run_dbt_build(project_dir: Path, data_dir: Path, work: Path) -> subprocess.CompletedProcess:
    """``dbt build`` of the data (no unit tests) against ``data_dir``; target and logs under
    ``work`` so nothing is written into the project."""
    dbt = Path(sys.executable).parent / "dbt"
    env = {
        **os.environ,
        "PERP_FRAGILITY_DATA_DIR": str(data_dir),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    return subprocess.run(
        [str(dbt), "build", "--exclude", "resource_type:unit_test", "--profiles-dir", "."],
        cwd=project_dir, env=env, capture_output=True, text=True, timeout=600, check=False,
    )
