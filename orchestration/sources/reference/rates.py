"""Daily reference rates: the USD hurdle (3-month T-bill, FRED DTB3) and the ETH staking yield.

Both land in the raw ``rates`` table as decimal fractions per year, one row per calendar day
and series. A carry is compared with the hurdle every day, including weekends, so the last
observation is carried forward over weekends and holidays with ``is_filled = True``. When a
source is unreachable or has nothing recent enough, a configured default is used and marked
(``source = 'default'``, ``is_filled = True``) so the report can say the hurdle was assumed.

DTB3 (``https://fred.stlouisfed.org/graph/fredgraph.csv?id=DTB3``): business days, percent,
discount basis, published the next business morning; the CSV has ``observation_date,DTB3``
(``DATE,DTB3`` before 2024) and ``.`` on holidays.

ETH staking (Lido, ``https://eth-api.lido.fi/v1/protocol/steth/apr/sma``): ``{"data": {"aprs":
[{"timeUnix": ..., "apr": 3.1}, ...], "smaApr": 3.0}, "meta": {...}}`` with APRs in percent;
it covers the last seven days only, so older days use the configured default.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa

from orchestration.landing.raw_schemas import RATES

TBILL_SERIES = "usd_tbill_3m"
STAKING_SERIES = "eth_staking_apr"
FRED_DTB3_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv?id=DTB3"
LIDO_SMA_URL = "https://eth-api.lido.fi/v1/protocol/steth/apr/sma"
SOURCE_FRED = "fred"
SOURCE_LIDO = "lido"
SOURCE_DEFAULT = "default"

# Used only when FRED cannot be reached; 3-month bills traded at 4.0-5.3 % over 2023-2025.
DEFAULT_TBILL_RATE = 0.04
# Lido's 7-day average stETH APR ran at roughly 2.6-3.5 % over 2024-2025 (consensus and
# execution rewards net of Lido's 10 % fee); 3 % is the round middle of that range.
DEFAULT_STAKING_APR = 0.03
# How far a last observation may be carried forward before the default takes over
# (a long weekend plus a holiday is 4 days; a week covers FRED publishing late).
MAX_FILL_DAYS = 7

ETF_STAKING_CSV = Path(__file__).with_name("eth_etf_staking.csv")


@dataclass(frozen=True, slots=True)
class Observation:
    """One published value: a day and a decimal fraction per year (None = not published)."""

    day: date
    value: float | None


# --------------------------------------------------------------------------- FRED


def parse_fred_csv(text: str, series_id: str = "DTB3") -> list[Observation]:
    """FRED ``fredgraph.csv``: date column (``observation_date`` or ``DATE``) and the series in
    percent; ``.`` or blank (holidays) -> None. Values are returned as decimal fractions."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    fields = reader.fieldnames or []
    date_col = next((f for f in fields if f.strip().lower() in ("observation_date", "date")), None)
    value_col = next((f for f in fields if f.strip().upper() == series_id.upper()), None)
    if date_col is None or value_col is None:
        raise ValueError(f"not a FRED {series_id} CSV: columns {fields}")
    out = []
    for row in reader:
        raw_day = (row.get(date_col) or "").strip()
        if not raw_day:
            continue
        raw = (row.get(value_col) or "").strip()
        value = None if raw in ("", ".") else round(float(raw) / 100.0, 10)
        out.append(Observation(date.fromisoformat(raw_day), value))
    return sorted(out, key=lambda o: o.day)


# --------------------------------------------------------------------------- Lido


def parse_lido_sma(payload: bytes | str) -> list[Observation]:
    """Lido ``/v1/protocol/steth/apr/sma``: one observation per UTC day (mean of that day's
    APRs), as decimal fractions. ``smaApr`` alone (no ``aprs``) gives no dated observation."""
    body = json.loads(payload)
    aprs = (body.get("data") or {}).get("aprs") or []
    by_day: dict[date, list[float]] = defaultdict(list)
    for point in aprs:
        stamp, apr = point.get("timeUnix"), point.get("apr")
        if stamp is None or apr is None:
            continue
        by_day[datetime.fromtimestamp(int(stamp), UTC).date()].append(float(apr) / 100.0)
    return [Observation(d, round(sum(v) / len(v), 10)) for d, v in sorted(by_day.items())]


def lido_sma_apr(payload: bytes | str) -> float | None:
    """The 7-day simple moving average APR as a decimal fraction (None when absent)."""
    value = (json.loads(payload).get("data") or {}).get("smaApr")
    return None if value is None else round(float(value) / 100.0, 10)


# --------------------------------------------------------------------------- daily rows


def daily_rates(
    observations: Iterable[Observation],
    days: Sequence[date],
    *,
    series: str,
    source: str,
    default: float,
    max_fill_days: int = MAX_FILL_DAYS,
) -> pa.Table:
    """One row per requested day: the observation of that day (``is_filled`` False), else the
    last observation at most ``max_fill_days`` earlier (``is_filled`` True), else ``default``
    (``source = 'default'``, ``is_filled`` True). Observations after a day are never used."""
    known = sorted((o for o in observations if o.value is not None), key=lambda o: o.day)
    rows: dict[str, list[object]] = {f.name: [] for f in RATES.schema}
    i, last = 0, None
    for day in sorted(days):
        while i < len(known) and known[i].day <= day:
            last = known[i]
            i += 1
        if last is not None and last.day == day:
            value, src, filled = last.value, source, False
        elif last is not None and (day - last.day).days <= max_fill_days:
            value, src, filled = last.value, source, True
        else:
            value, src, filled = default, SOURCE_DEFAULT, True
        rows["source"].append(src)
        rows["date"].append(day)
        rows["series"].append(series)
        rows["value"].append(value)
        rows["is_filled"].append(filled)
    return pa.Table.from_pydict(rows, schema=RATES.schema)


def default_rates(days: Sequence[date], *, series: str, default: float) -> pa.Table:
    """The configured default for every day, marked (used when the source is unreachable)."""
    return daily_rates((), days, series=series, source=SOURCE_DEFAULT, default=default)


def date_range(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# --------------------------------------------------------------------------- ETF staking


@dataclass(frozen=True, slots=True)
class EtfStaking:
    """Whether a US spot ETH ETF stakes its ether (reference data, see the CSV's sources).

    Attributes:
        ticker / issuer / fund: the fund.
        stakes: True when staking is confirmed active as of ``as_of``.
        staking_since: first day of staking, when known.
        status: ``staking``, ``filed`` (filing to stake seen, not confirmed active) or
            ``not_staking`` (no staking filing known).
        as_of: date the row was last checked.
        source_url: where the status comes from.
    """

    ticker: str
    issuer: str
    fund: str
    stakes: bool
    staking_since: date | None
    status: str
    as_of: date
    source_url: str


def load_etf_staking(path: Path = ETF_STAKING_CSV) -> list[EtfStaking]:
    """The ETH ETF staking reference table shipped with the code."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if not r["ticker"].startswith("#")]
    return [
        EtfStaking(
            ticker=r["ticker"],
            issuer=r["issuer"],
            fund=r["fund"],
            stakes=r["stakes"].strip().lower() == "true",
            staking_since=date.fromisoformat(r["staking_since"]) if r["staking_since"] else None,
            status=r["status"],
            as_of=date.fromisoformat(r["as_of"]),
            source_url=r["source_url"],
        )
        for r in rows
    ]


def staking_tickers(on: date, path: Path = ETF_STAKING_CSV) -> frozenset[str]:
    """Tickers of ETH ETFs staking on ``on`` (per the reference table)."""
    return frozenset(
        e.ticker
        for e in load_etf_staking(path)
        if e.stakes and e.staking_since is not None and e.staking_since <= on
    )
