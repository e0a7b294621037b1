"""Does the pandas peer compute what the marts hold? A few numbers of one day, side by side.

The peer race (dbt full build against bench/pandas_peer.py) is only fair if both produce the
same marts from the same raw Parquet; this reads the built warehouse and the peer's outputs
and compares realised funding carry, a perp premium, a dated annualised basis and the day's
total perp open interest, to 1e-9 relative (the marts round to 12 digits).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any


def check_agreement(data_dir: Path, peer_dir: Path, day: date) -> list[dict[str, Any]]:
    """Compare a few peer numbers of ``day`` with the marts, to show both compute the same
    thing (a disagreement is printed as DIFFER in the results, not hidden)."""
    import duckdb
    import pandas as pd

    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    checks: list[dict[str, Any]] = []
    try:
        funding = pd.read_parquet(peer_dir / "funding_daily.parquet")
        basis = pd.read_parquet(peer_dir / "basis.parquet")
        oi = pd.read_parquet(peer_dir / "open_interest_daily.parquet")
        for venue in ("binance", "okx", "hyperliquid"):
            for column in ("realised_apr_7d", "realised_apr_30d"):
                mart = con.execute(
                    f"select {column} from fct_funding_daily where date = ? and venue = ? "
                    "and base_asset = 'ETH'",
                    [day, venue],
                ).fetchone()
                peer = funding.loc[
                    (funding["date"] == pd.Timestamp(day))
                    & (funding["venue"] == venue)
                    & (funding["base_asset"] == "ETH"),
                    column,
                ]
                checks.append(
                    _compare(
                        f"fct_funding_daily.{column} {venue} ETH {day}",
                        mart[0] if mart else None,
                        float(peer.iloc[0]) if len(peer) else None,
                    )
                )
        # the first perp premium and the first dated annualised basis of the day
        for column, kind in (("premium_or_basis", "perp"), ("annualized_basis", "dated")):
            mart = con.execute(
                f"select venue, symbol, {column} from fct_basis where date = ? and kind = ? "
                f"and {column} is not null order by venue, symbol limit 1",
                [day, kind],
            ).fetchone()
            if mart:
                peer = basis.loc[
                    (basis["date"] == pd.Timestamp(day))
                    & (basis["venue"] == mart[0])
                    & (basis["symbol"] == mart[1]),
                    column,
                ]
                checks.append(
                    _compare(
                        f"fct_basis.{column} {mart[0]} {mart[1]} {day}",
                        mart[2],
                        float(peer.iloc[0]) if len(peer) else None,
                    )
                )
        mart = con.execute(
            "select sum(oi_usd) from fct_open_interest_daily where date = ? and kind = 'perp'",
            [day],
        ).fetchone()
        peer_sum = oi.loc[(oi["date"] == pd.Timestamp(day)) & (oi["kind"] == "perp"), "oi_usd"]
        checks.append(
            _compare(
                f"fct_open_interest_daily perp oi_usd total {day}",
                mart[0] if mart else None,
                float(peer_sum.sum()),
            )
        )
    finally:
        con.close()
    return checks


def _compare(label: str, mart: float | None, peer: float | None) -> dict[str, Any]:
    agree = (mart is None and peer is None) or (
        mart is not None and peer is not None and abs(mart - peer) <= 1e-9 * max(1.0, abs(mart))
    )
    return {"what": label, "mart": mart, "peer": peer, "agree": bool(agree)}
