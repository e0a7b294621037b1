"""The pandas peer: the funding, basis and open-interest marts as an analyst would compute them.

Why it exists: issue 8 asks whether dbt-on-DuckDB earns its keep against the obvious
alternative, one pandas script over the same raw Parquet. This is that script, written the
straightforward way (read every partition, vectorised groupbys and time-based rolling windows,
no incremental state), following the definitions in docs/marts.md:

- funding: ``apr_simple = rate * 8760 / interval_hours`` per settlement (interval reported, else
  the gap to the previous/next settlement when <= 8 h, else the seed default), then per date,
  venue and base asset the day's rate sum (symbols averaged), ``realised_apr`` and the 7 d / 30 d
  realised APR over the hours the settlements pay for (``sum(rate) * 8760 / sum(hours)``,
  complete days only; null under 5 / 20 complete days), as int_funding_daily;
- basis: the perp premium (daily mean of (mark - index) / index, else the venue's published
  premium index) and the dated basis at the daily close, annualised when at least 7 days from
  expiry;
- open interest in USD per date, venue, base asset and kind from the end-of-day snapshot
  (reported USD, else base amount * the day's reference spot price).

It does not compute the rest of the warehouse (carry, CFTC, arbitrage share, fragility), and
runs no data tests: the comparison flatters pandas, which the ratios in docs/performance.md
note. ``python bench/pandas_peer.py DATA_DIR OUT_DIR`` writes three Parquet files and prints
one JSON line with the timings.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

MAX_INTERVAL_HOURS = 8.0
MIN_DAYS_7D = 5
MIN_DAYS_30D = 20
SEED_RULES = (
    Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "venue_funding_rules.csv"
)


def read_raw(data_dir: Path, dataset: str) -> pd.DataFrame:
    """Every landed partition of one exchange dataset (``_empty`` is skipped by pyarrow)."""
    frame = pd.read_parquet(data_dir / "raw" / "exchange" / dataset)
    return frame.drop(columns=["dt"], errors="ignore")


def _utc_date(ts: pd.Series) -> pd.Series:
    return ts.dt.tz_convert("UTC").dt.tz_localize(None).dt.normalize()


def _snapshot_date(ts: pd.Series) -> pd.Series:
    """A snapshot at 00:00 UTC of D+1 closes day D (same rule as the dbt macro)."""
    return _utc_date(ts - pd.Timedelta(microseconds=1))


def funding_settlements(raw: pd.DataFrame) -> pd.DataFrame:
    """Per settlement: interval (reported, previous gap, next gap, seed default) and apr_simple."""
    df = raw.dropna(subset=["venue", "symbol", "funding_ts", "rate"]).copy()
    df["venue"] = df["venue"].str.lower()
    df["base_asset"] = df["base_asset"].str.upper()
    df = df.sort_values(["venue", "symbol", "funding_ts"]).drop_duplicates(
        ["venue", "symbol", "funding_ts"]
    )
    rules = pd.read_csv(SEED_RULES)
    by_symbol = rules.set_index(["venue", "symbol"])["default_interval_hours"]
    by_asset = (
        rules.sort_values("symbol")
        .groupby(["venue", "base_asset"])["default_interval_hours"]
        .first()
    )
    by_venue = rules.groupby("venue")["default_interval_hours"].max()
    default = (
        df.join(by_symbol.rename("d1"), on=["venue", "symbol"])
        .join(by_asset.rename("d2"), on=["venue", "base_asset"])
        .join(by_venue.rename("d3"), on="venue")
    )
    default_hours = default["d1"].fillna(default["d2"]).fillna(default["d3"]).fillna(8.0)
    grouped = df.groupby(["venue", "symbol"])["funding_ts"]
    since = ((df["funding_ts"] - grouped.shift(1)).dt.total_seconds() / 3600).round(2)
    to_next = ((grouped.shift(-1) - df["funding_ts"]).dt.total_seconds() / 3600).round(2)
    reported = df["interval_hours"]
    interval = np.select(
        [
            reported > 0,
            (since > 0) & (since <= MAX_INTERVAL_HOURS),
            (to_next > 0) & (to_next <= MAX_INTERVAL_HOURS),
        ],
        [reported, since, to_next],
        default=default_hours,
    )
    df["interval_hours"] = interval
    df["apr_simple"] = df["rate"] * 8760.0 / df["interval_hours"]
    df["funding_date"] = _utc_date(df["funding_ts"])
    return df


def funding_daily(settlements: pd.DataFrame) -> pd.DataFrame:
    """Per date, venue and base asset: rate sum (symbols averaged), realised APR 1/7/30 d.

    As int_funding_daily: carry is annualised over the hours the settlements pay for
    (``sum(rate) * 8760 / sum(interval_hours)``); a symbol's day is complete with at least
    ``floor(24 / longest interval)`` settlements, a venue's day when every symbol's is; the
    7/30-day windows sum complete days only and are null under 5 / 20 complete days.
    """
    by_symbol = settlements.groupby(
        ["funding_date", "venue", "base_asset", "symbol"], as_index=False
    ).agg(
        rate_sum=("rate", "sum"),
        hours_sum=("interval_hours", "sum"),
        settlements=("rate", "size"),
        longest=("interval_hours", "max"),
    )
    expected = np.floor(24.0 / by_symbol["longest"] + 0.02).clip(lower=1)
    by_symbol["complete"] = by_symbol["settlements"] >= expected
    daily = (
        by_symbol.groupby(["venue", "base_asset", "funding_date"], as_index=False)
        .agg(
            rate_sum=("rate_sum", "mean"),
            hours_sum=("hours_sum", "mean"),
            settlements=("settlements", "sum"),
            complete=("complete", "all"),
        )
        .sort_values(["venue", "base_asset", "funding_date"])
    )
    indexed = daily.set_index("funding_date")
    pieces = []
    for (venue, asset), group in indexed.groupby(["venue", "base_asset"], sort=False):
        complete_rate = group["rate_sum"].where(group["complete"])
        complete_hours = group["hours_sum"].where(group["complete"])
        out = pd.DataFrame(
            {
                "venue": venue,
                "base_asset": asset,
                "rate_sum": group["rate_sum"],
                "hours_sum": group["hours_sum"],
                "settlements": group["settlements"],
                "is_complete_day": group["complete"],
                "sum_7d": complete_rate.rolling("7D").sum(),
                "hours_7d": complete_hours.rolling("7D").sum(),
                "days_7d": complete_rate.rolling("7D").count(),
                "sum_30d": complete_rate.rolling("30D").sum(),
                "hours_30d": complete_hours.rolling("30D").sum(),
                "days_30d": complete_rate.rolling("30D").count(),
            }
        )
        pieces.append(out)
    result = pd.concat(pieces).reset_index().rename(columns={"funding_date": "date"})
    result["realised_apr"] = result["rate_sum"] * 8760.0 / result["hours_sum"]
    result["realised_apr_7d"] = (result["sum_7d"] * 8760.0 / result["hours_7d"]).where(
        result["days_7d"] >= MIN_DAYS_7D
    )
    result["realised_apr_30d"] = (result["sum_30d"] * 8760.0 / result["hours_30d"]).where(
        result["days_30d"] >= MIN_DAYS_30D
    )
    return result


def perp_premium_daily(raw: pd.DataFrame) -> pd.DataFrame:
    """Per date, venue and symbol: mean hourly premium, discount hours. As int_premium_hourly:
    (mark - index) / index when both are known, else the venue's published premium index; an
    hour with neither is no row."""
    df = raw.drop_duplicates(["venue", "symbol", "ts"])
    index = df["index_price"].where(df["index_price"] != 0)  # safe_divide: no premium on 0
    from_prices = (df["mark_price"] - index) / index
    published = df["premium"] if "premium" in df else pd.Series(np.nan, index=df.index)
    df = df.assign(date=_utc_date(df["ts"]), premium=from_prices.fillna(published))
    df = df.dropna(subset=["premium"])
    out = df.groupby(["date", "venue", "symbol"], as_index=False).agg(
        base_asset=("base_asset", "first"),
        premium_or_basis=("premium", "mean"),
        discount_hours=("premium", lambda s: int((s < 0).sum())),
        hours_observed=("premium", "count"),
    )
    out["kind"] = "perp"
    return out


def dated_basis_daily(raw: pd.DataFrame) -> pd.DataFrame:
    """Dated futures at the daily close: F / S - 1, annualised when >= 7 days to expiry."""
    df = raw.dropna(subset=["future_price", "index_price", "expiry_ts"]).copy()
    df["date"] = _snapshot_date(df["ts"])
    df = df.sort_values("ts").drop_duplicates(["venue", "symbol", "date"], keep="last")
    # fractional days to expiry, rounded to 6 digits as int_basis_dated_daily stores them
    days = ((df["expiry_ts"] - df["ts"]).dt.total_seconds() / 86400.0).round(6)
    df["days_to_expiry"] = days
    df["premium_or_basis"] = df["future_price"] / df["index_price"] - 1.0
    df["annualized_basis"] = (df["premium_or_basis"] * 365.0 / days).where(days >= 7)
    df["kind"] = np.where(df["venue"] == "cme", "cme", "dated")
    return df[
        [
            "date",
            "venue",
            "symbol",
            "base_asset",
            "kind",
            "days_to_expiry",
            "premium_or_basis",
            "annualized_basis",
        ]
    ]


def reference_prices(candles: pd.DataFrame) -> pd.DataFrame:
    """Per date and asset: mean across venues of the spot close (perp close when no spot)."""
    df = candles.dropna(subset=["close"]).copy()
    df["date"] = _utc_date(df["ts"])
    by_venue = df.pivot_table(
        index=["date", "base_asset", "venue"],
        columns="market_type",
        values="close",
        aggfunc="mean",
    )
    by_asset = by_venue.groupby(level=["date", "base_asset"]).mean()
    spot = by_asset["spot"] if "spot" in by_asset else pd.Series(np.nan, index=by_asset.index)
    perp = by_asset["perp"] if "perp" in by_asset else pd.Series(np.nan, index=by_asset.index)
    return spot.fillna(perp).rename("reference_price_usd").reset_index()


def open_interest_daily(raw: pd.DataFrame, prices: pd.DataFrame) -> pd.DataFrame:
    """End-of-day OI in USD per date, venue, base asset and kind."""
    df = raw.copy()
    df["date"] = _snapshot_date(df["ts"])
    df = df.sort_values("ts").drop_duplicates(["venue", "symbol", "date"], keep="last")
    df = df.merge(prices, on=["date", "base_asset"], how="left")
    df["oi_usd"] = df["oi_usd"].fillna(df["oi_base"] * df["reference_price_usd"])
    df = df.dropna(subset=["oi_usd"])
    return df.groupby(["date", "venue", "base_asset", "kind"], as_index=False)["oi_usd"].sum()


def run(data_dir: Path, out_dir: Path) -> dict[str, float]:
    """Compute the three marts, write them to ``out_dir``; return seconds per phase."""
    timings: dict[str, float] = {}
    began = time.perf_counter()
    funding = read_raw(data_dir, "funding_rates")
    premium = read_raw(data_dir, "premium_index")
    dated = read_raw(data_dir, "dated_futures")
    oi = read_raw(data_dir, "open_interest")
    candles = read_raw(data_dir, "ohlcv_daily")
    timings["read_s"] = time.perf_counter() - began

    mark = time.perf_counter()
    daily = funding_daily(funding_settlements(funding))
    basis = pd.concat([perp_premium_daily(premium), dated_basis_daily(dated)], ignore_index=True)
    oi_daily = open_interest_daily(oi, reference_prices(candles))
    timings["compute_s"] = time.perf_counter() - mark

    mark = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    daily.to_parquet(out_dir / "funding_daily.parquet", index=False)
    basis.to_parquet(out_dir / "basis.parquet", index=False)
    oi_daily.to_parquet(out_dir / "open_interest_daily.parquet", index=False)
    timings["write_s"] = time.perf_counter() - mark
    timings["total_s"] = time.perf_counter() - began
    timings["rows_in"] = float(len(funding) + len(premium) + len(dated) + len(oi) + len(candles))
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="pandas peer of the funding/basis/OI marts")
    parser.add_argument("data_dir", type=Path, help="PERP_FRAGILITY_DATA_DIR with raw/ landed")
    parser.add_argument("out_dir", type=Path, help="where the three Parquet outputs go")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.data_dir, args.out_dir)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
