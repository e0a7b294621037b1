"""Reference rates: FRED DTB3 CSV, forward fill and defaults, Lido staking APR, ETF staking."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest

from orchestration.landing.raw_schemas import RATES
from orchestration.sources.reference import rates

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reference"
SHARED_ETH = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "data"
    / "etf-flows-farside"
    / "ethereum_etf_flows_wide_daily.clean.csv"
)


def _fred() -> list[rates.Observation]:
    return rates.parse_fred_csv((FIXTURES / "fred_dtb3_sample.csv").read_text())


def test_fred_csv_percent_to_fraction_and_dots_to_none():
    obs = _fred()
    assert obs[0] == rates.Observation(date(2025, 12, 22), 0.036)
    assert {o.day: o.value for o in obs}[date(2025, 12, 25)] is None
    assert len(obs) == 10


def test_fred_csv_old_header_and_bad_payload():
    obs = rates.parse_fred_csv("DATE,DTB3\n2020-01-02,1.52\n2020-01-03,\n")
    assert obs == [
        rates.Observation(date(2020, 1, 2), 0.0152),
        rates.Observation(date(2020, 1, 3), None),
    ]
    with pytest.raises(ValueError, match="not a FRED DTB3 CSV"):
        rates.parse_fred_csv("<html>captive portal</html>\n")


def test_forward_fill_over_holidays_and_weekends_is_marked():
    days = rates.date_range(date(2025, 12, 24), date(2025, 12, 29))
    table = rates.daily_rates(
        _fred(), days, series=rates.TBILL_SERIES, source=rates.SOURCE_FRED, default=0.04
    )
    assert table.schema == RATES.schema
    got = {r["date"]: (r["value"], r["is_filled"], r["source"]) for r in table.to_pylist()}
    assert got[date(2025, 12, 24)] == (0.0357, False, "fred")
    assert got[date(2025, 12, 25)] == (0.0357, True, "fred")  # Christmas: '.'
    assert got[date(2025, 12, 26)] == (0.0355, False, "fred")
    assert got[date(2025, 12, 27)] == (0.0355, True, "fred")  # weekend
    assert got[date(2025, 12, 28)] == (0.0355, True, "fred")
    assert got[date(2025, 12, 29)] == (0.0352, False, "fred")


def test_default_when_nothing_recent_enough_and_no_look_ahead():
    days = [date(2025, 12, 21), date(2026, 1, 9), date(2026, 1, 10)]
    table = rates.daily_rates(
        _fred(), days, series=rates.TBILL_SERIES, source=rates.SOURCE_FRED, default=0.04
    )
    got = {r["date"]: (r["value"], r["is_filled"], r["source"]) for r in table.to_pylist()}
    assert got[date(2025, 12, 21)] == (0.04, True, "default")  # before the first observation
    assert got[date(2026, 1, 9)] == (0.0347, True, "fred")  # 7 days after 2026-01-02
    assert got[date(2026, 1, 10)] == (0.04, True, "default")  # 8 days: stale
    offline = rates.default_rates([date(2026, 1, 5)], series=rates.TBILL_SERIES, default=0.05)
    assert offline.to_pylist() == [
        {
            "source": "default",
            "date": date(2026, 1, 5),
            "series": "usd_tbill_3m",
            "value": 0.05,
            "is_filled": True,
        }
    ]


def test_lido_sma_payload():
    payload = (FIXTURES / "lido_steth_apr_sma.json").read_bytes()
    obs = rates.parse_lido_sma(payload)
    assert [o.day for o in obs] == rates.date_range(date(2025, 12, 25), date(2025, 12, 31))
    assert obs[0].value == pytest.approx(0.0271)
    assert rates.lido_sma_apr(payload) == pytest.approx(0.02819)
    table = rates.daily_rates(
        obs,
        [date(2025, 12, 31), date(2026, 1, 3), date(2026, 3, 1)],
        series=rates.STAKING_SERIES,
        source=rates.SOURCE_LIDO,
        default=rates.DEFAULT_STAKING_APR,
    )
    got = [(r["source"], r["value"], r["is_filled"]) for r in table.to_pylist()]
    assert got == [
        ("lido", 0.0282, False),
        ("lido", 0.0282, True),
        ("default", 0.03, True),
    ]
    assert rates.parse_lido_sma(b'{"data": {"smaApr": 3.0}}') == []


def test_documented_defaults():
    assert rates.DEFAULT_STAKING_APR == 0.03
    assert rates.DEFAULT_TBILL_RATE == 0.04
    assert rates.MAX_FILL_DAYS == 7


def test_eth_etf_staking_reference_table():
    table = {e.ticker: e for e in rates.load_etf_staking()}
    assert table["ETHE"].stakes and table["ETHE"].staking_since == date(2025, 10, 6)
    assert table["ETH"].stakes and table["ETH"].status == "staking"
    assert not table["ETHA"].stakes
    assert {e.status for e in table.values()} <= {"staking", "filed", "unverified"}
    assert all(e.source_url.startswith("https://") for e in table.values())
    assert rates.staking_tickers(date(2025, 10, 5)) == frozenset()
    assert rates.staking_tickers(date(2025, 10, 6)) == {"ETHE", "ETH"}


@pytest.mark.realdata
@pytest.mark.skipif(not SHARED_ETH.is_file(), reason=f"{SHARED_ETH} not found (workspace only)")
def test_staking_table_covers_every_recorded_eth_ticker():
    with SHARED_ETH.open(newline="") as handle:
        header = next(csv.reader(handle))
    tickers = {h for h in header if h not in ("date", "Total")}
    assert tickers <= {e.ticker for e in rates.load_etf_staking()}


def test_date_range_is_inclusive():
    assert rates.date_range(date(2026, 1, 1), date(2026, 1, 1)) == [date(2026, 1, 1)]
    assert len(rates.date_range(date(2026, 1, 1), date(2026, 1, 1) + timedelta(days=6))) == 7
