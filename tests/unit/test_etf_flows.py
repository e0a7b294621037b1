"""ETF flow parsers: the recorded Farside CSVs and hand-written Farside-style HTML."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from orchestration.landing.raw_schemas import ETF_FLOWS
from orchestration.sources.reference import etf_flows as ef

# ../shared/data relative to the project root (tests/unit/ -> parents[3] is the workspace)
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "etf-flows-farside"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reference"
BTC_WIDE = SHARED / "bitcoin_etf_flows_wide_daily.csv"
ETH_CLEAN = SHARED / "ethereum_etf_flows_wide_daily.clean.csv"
ETH_RAW = SHARED / "ethereum_etf_flows_wide_daily.csv"

realdata = pytest.mark.skipif(
    not SHARED.is_dir(),
    reason=f"recorded ETF flow files not found at {SHARED} (only in the project's workspace)",
)


def _by_key(result: ef.FlowParseResult) -> dict[tuple[date, str], dict]:
    return {(r["date"], r["ticker"]): r for r in result.table.to_pylist()}


# --------------------------------------------------------------------------- recorded CSVs


@pytest.mark.realdata
@realdata
def test_btc_wide_csv():
    result = ef.parse_wide_csv(BTC_WIDE.read_text(), "BTC")
    assert result.tickers == (
        "IBIT", "FBTC", "BITB", "ARKB", "BTCO", "EZBC", "BRRR", "HODL", "BTCW", "GBTC", "BTC",
    )  # fmt: skip
    assert result.table.schema == ETF_FLOWS.schema
    assert result.table.num_rows == 412 * 11  # 602 rows - 190 weekend/holiday rows
    assert len(result.dropped_non_trading_days) == 190
    assert date(2025, 1, 9) in result.dropped_non_trading_days  # NYSE closed (Carter)
    assert result.flagged_count == 0  # Total == sum of tickers on every row
    rows = _by_key(result)
    assert rows[(date(2024, 1, 11), "IBIT")]["flow_usd_m"] == 111.7
    assert rows[(date(2024, 1, 11), "GBTC")]["flow_usd_m"] == -95.1
    day_total = sum(r["flow_usd_m"] for (d, _), r in rows.items() if d == date(2024, 1, 11))
    assert day_total == pytest.approx(655.3)
    # the last row was scraped before anyone reported: not reported, not zero
    assert result.not_reported_days == (date(2025, 9, 3),)
    last = [r for (d, _), r in rows.items() if d == date(2025, 9, 3)]
    assert all(r["flow_usd_m"] is None and r["is_reported"] is False for r in last)


@pytest.mark.realdata
@realdata
def test_eth_clean_csv():
    result = ef.parse_wide_csv(ETH_CLEAN.read_text(), "ETH")
    assert result.tickers == ("ETHA", "FETH", "ETHW", "TETH", "ETHV", "QETH", "EZET", "ETHE", "ETH")
    assert result.table.num_rows == 278 * 9
    assert result.flagged_count == 0
    assert len(result.all_zero_days) == 10  # genuine zero-flow days, kept and listed
    rows = _by_key(result)
    assert rows[(date(2024, 7, 23), "ETHE")]["flow_usd_m"] == -484.1
    assert sum(r["flow_usd_m"] for (d, _), r in rows.items() if d == date(2024, 7, 23)) == (
        pytest.approx(106.6)
    )


@pytest.mark.realdata
@realdata
def test_eth_raw_csv_doubled_total_is_flagged_and_tickers_kept():
    raw = ef.parse_wide_csv(ETH_RAW.read_text(), "ETH")
    clean = ef.parse_wide_csv(ETH_CLEAN.read_text(), "ETH")
    assert raw.total_columns == ("Total Unnamed: 10_level_1 Unnamed: 10_level_2", "Total")
    assert raw.tickers == clean.tickers  # 'Blackrock ETHA 0.25%' -> ETHA, ...
    assert raw.flagged_count == 266
    assert Counter(m.column for m in raw.mismatches) == {"Total": 266}  # Farside's total is fine
    first = raw.mismatches[0]
    assert (first.date, first.reported_total, first.sum_of_tickers) == (
        date(2024, 7, 23),
        213.2,
        pytest.approx(106.6),
    )
    assert raw.table.equals(clean.table)  # the per-ticker values are kept untouched


# --------------------------------------------------------------------------- HTML fixtures


def test_farside_btc_html():
    result = ef.parse_farside_html((FIXTURES / "farside_btc_sample.html").read_text(), "BTC")
    assert result.tickers == ("IBIT", "FBTC", "BITB", "ARKB", "GBTC", "BTC")
    assert result.total_columns == ("Total",)
    rows = _by_key(result)
    assert rows[(date(2025, 1, 2), "IBIT")]["flow_usd_m"] == -332.6  # (332.6)
    assert rows[(date(2025, 1, 3), "IBIT")]["flow_usd_m"] == 1253.1  # 1,253.1
    unreported = rows[(date(2025, 1, 7), "IBIT")]
    assert unreported["flow_usd_m"] is None and unreported["is_reported"] is False
    assert rows[(date(2025, 1, 7), "BTC")]["is_reported"] is True  # 0.0 stays a reported zero
    assert result.not_reported_days == (date(2025, 1, 7),)
    assert [(m.date, m.reported_total, m.sum_of_tickers) for m in result.mismatches] == [
        (date(2025, 1, 6), 978.6, pytest.approx(467.7))
    ]
    assert result.flagged_dates == (date(2025, 1, 6),)
    assert rows[(date(2025, 1, 6), "FBTC")]["flow_usd_m"] == 370.2  # kept despite the bad total
    assert result.dropped_non_trading_days == (date(2025, 1, 9),)
    assert result.summary_rows_ignored == 4  # Total, Average, Maximum, Minimum
    assert result.table.num_rows == 4 * 6


def test_farside_eth_html():
    result = ef.parse_farside_html((FIXTURES / "farside_eth_sample.html").read_text(), "ETH")
    assert result.tickers == ("ETHA", "FETH", "ETHW", "TETH", "ETHV", "QETH", "EZET", "ETHE", "ETH")
    assert result.total_columns == ("Total",)  # the Seed row's figures are not labels
    assert result.flagged_dates == (date(2024, 7, 24),)  # doubled total
    rows = _by_key(result)
    assert rows[(date(2024, 7, 26), "ETHE")]["is_reported"] is False  # "-"
    assert rows[(date(2024, 7, 26), "ETH")]["is_reported"] is False  # "&ndash;"
    assert rows[(date(2024, 7, 26), "ETHA")]["flow_usd_m"] == 87.2  # "26&nbsp;Jul&nbsp;2024"
    assert date(2024, 7, 22) not in {d for d, _ in rows}  # Seed row is not a day


def test_html_without_a_flow_table_is_an_error():
    with pytest.raises(ValueError, match="no BTC flow table"):
        ef.parse_farside_html("<html><table><tr><td>Home</td></tr></table></html>", "BTC")


# --------------------------------------------------------------------------- cells, CSV rules


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12.3", 12.3),
        ("(12.3)", -12.3),
        ("1,234.5", 1234.5),
        ("(1,234.5)", -1234.5),
        ("-12.3", -12.3),
        ("\u221212.3", -12.3),
        ("-", None),
        ("\u2013", None),
        ("", None),
        ("0.0", 0.0),
    ],
)
def test_flow_values(text, value):
    assert ef.parse_flow_value(text) == value


def test_tickers_from_headers():
    assert ef.ticker_of("Blackrock ETHA 0.25%", "ETH") == "ETHA"
    assert ef.ticker_of("Grayscale ETH 0.15%", "ETH") == "ETH"
    assert ef.ticker_of("21 Shares TETH 0.21%", "ETH") == "TETH"
    assert ef.ticker_of("NEWX", "BTC") == "NEWX"  # an unknown new fund still becomes a column
    assert ef.ticker_of("Total", "BTC") is None
    assert ef.ticker_of("Fee", "BTC") is None


def test_csv_blank_cells_and_trailing_zero_rows():
    text = (
        "date,IBIT,FBTC,Total\n"
        "2025-01-02,10.0,,10.0\n"  # FBTC blank: not reported
        "2025-01-03,0.0,0.0,0.0\n"  # a zero day in the middle stays reported
        "2025-01-04,0.0,0.0,0.0\n"  # Saturday: dropped
        "2025-01-06,5.0,1.0,6.0\n"
        "2025-01-07,0.0,0.0,0.0\n"  # trailing zeros: scraped before reporting
    )
    result = ef.parse_wide_csv(text, "BTC")
    rows = _by_key(result)
    assert rows[(date(2025, 1, 2), "FBTC")]["is_reported"] is False
    assert rows[(date(2025, 1, 3), "IBIT")] == {
        "source": "import:farside_csv",
        "date": date(2025, 1, 3),
        "base_asset": "BTC",
        "ticker": "IBIT",
        "flow_usd_m": 0.0,
        "is_reported": True,
    }
    assert result.all_zero_days == (date(2025, 1, 3),)
    assert result.dropped_non_trading_days == (date(2025, 1, 4),)
    assert rows[(date(2025, 1, 7), "IBIT")]["is_reported"] is False
    kept = ef.parse_wide_csv(text, "BTC", trailing_zero_rows_unreported=False)
    assert _by_key(kept)[(date(2025, 1, 7), "IBIT")]["flow_usd_m"] == 0.0


def test_duplicate_days_are_an_error():
    with pytest.raises(ValueError, match="twice"):
        ef.parse_wide_csv("date,IBIT,Total\n2025-01-02,1,1\n02 Jan 2025,1,1\n", "BTC")


def test_landing_btc_and_eth_together_is_idempotent(tmp_path):
    btc = ef.parse_farside_html((FIXTURES / "farside_btc_sample.html").read_text(), "BTC")
    eth = ef.parse_farside_html((FIXTURES / "farside_eth_sample.html").read_text(), "ETH")
    both = pa.concat_tables([btc.table, eth.table])
    first = ef.land_etf_flows(both, data_root=tmp_path)
    assert len(first) == 8 and all(r.rejected == 0 for r in first)
    again = ef.land_etf_flows(both, data_root=tmp_path)
    assert [r.path.read_bytes() for r in again] == [r.path.read_bytes() for r in first]
