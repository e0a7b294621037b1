"""CFTC TFF parser: the real recorded files, hand-written fixtures, release calendar, landing."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from orchestration.landing.raw_schemas import CFTC_TFF
from orchestration.lib.cftc_calendar import (
    expected_report_date,
    overdue_report_dates,
    release_date_for,
)
from orchestration.sources.reference import cftc, cftc_landing, cftc_layout, cftc_parse
from orchestration.sources.reference.http import SourceHttpError

# ../shared/data relative to the project root (tests/unit/ -> parents[3] is the workspace)
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "cftc-tff"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reference"
RAW_YEARLY = SHARED / "FinFutYY_2026Q1_full_raw.txt"
CRYPTO_CSV = SHARED / "tff_futonly_crypto_btc_eth.csv"
YEARLY_SAMPLE = FIXTURES / "cftc_finfut_yearly_sample.txt"
WEEKLY_SAMPLE = FIXTURES / "cftc_finfutwk_sample.txt"

realdata = pytest.mark.skipif(
    not SHARED.is_dir(),
    reason=f"real CFTC files not found at {SHARED} (only in the project's workspace)",
)


def _rows(table: pa.Table) -> dict[tuple[str, date], dict]:
    return {(r["cftc_contract_market_code"], r["report_date"]): r for r in table.to_pylist()}


def _zip(text: str, member: str = "FinFutYY.txt") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, text)
    return buffer.getvalue()


# --------------------------------------------------------------------------- real files


@pytest.mark.realdata
@realdata
def test_complete_raw_yearly_file_counts_and_layout():
    text = RAW_YEARLY.read_text()
    rows = cftc_parse.read_rows(text)
    assert len(rows) == 908  # every market, 2026-01-06 .. 2026-03-17
    assert all(len(r) == 87 for r in rows)
    parsed = cftc.parse_tff(text)
    assert parsed.rows_by_code == {"133741": 11, "133742": 11, "146021": 11, "146022": 11}
    assert parsed.unit_mismatches == ()  # the Contract_Units texts agree with 5/0.1/50/0.1
    table = parsed.table
    assert table.schema == CFTC_TFF.schema
    dates = sorted(set(table.column("report_date").to_pylist()))
    assert (dates[0], dates[-1], len(dates)) == (date(2026, 1, 6), date(2026, 3, 17), 11)
    assert all(d.weekday() == 1 for d in dates)
    names = set(table.column("market_name").to_pylist())
    assert "MICRO ETHER - CHICAGO MERCANTILE EXCHANGE" in names  # two spaces collapsed
    assert "ETHER CASH SETTLED - CHICAGO MERCANTILE EXCHANGE" in names


@pytest.mark.realdata
@realdata
def test_raw_yearly_known_values_and_release_dates():
    rows = _rows(cftc.parse_tff(RAW_YEARLY.read_text()).table)
    btc = rows[("133741", date(2026, 3, 17))]
    assert (btc["open_interest_all"], btc["dealer_long"], btc["dealer_short"]) == (
        23807,
        6302,
        2257,
    )
    assert (btc["asset_mgr_long"], btc["asset_mgr_short"]) == (6954, 1068)
    assert (btc["lev_money_long"], btc["lev_money_short"]) == (2530, 13390)
    assert (btc["base_asset"], btc["contract_units"]) == ("BTC", 5.0)
    assert btc["release_date"] == date(2026, 3, 20)
    # the tail of the 2025 shutdown backlog: published off the Friday calendar
    assert rows[("146021", date(2026, 1, 6))]["release_date"] == date(2026, 1, 16)
    assert rows[("146021", date(2026, 1, 13))]["release_date"] == date(2026, 1, 20)
    assert rows[("146022", date(2026, 1, 6))]["contract_units"] == 0.1
    assert rows[("133742", date(2026, 1, 6))]["contract_units"] == 0.1
    assert rows[("146021", date(2026, 1, 6))]["contract_units"] == 50.0


@pytest.mark.realdata
@realdata
def test_raw_yearly_agrees_with_the_crypto_extract():
    yearly = _rows(cftc.parse_tff(RAW_YEARLY.read_text()).table)
    extract = cftc.parse_tff(CRYPTO_CSV.read_text())
    assert extract.rows_by_code == {"133741": 52, "133742": 52, "146021": 52, "146022": 52}
    others = _rows(extract.table)
    common = set(yearly) & set(others)
    assert len(common) == 44  # the 2026 Q1 weeks of the extract come from the same file
    assert all(yearly[k] == others[k] for k in common)
    known = others[("133741", date(2024, 6, 11))]
    assert (known["open_interest_all"], known["lev_money_short"]) == (30503, 20045)
    # publication gaps between the three recorded periods stay gaps (no invented rows)
    dates = sorted({k[1] for k in others})
    assert date(2024, 6, 18) not in dates and date(2025, 5, 6) not in dates


# --------------------------------------------------------------------------- fixtures


def test_suppressed_values_are_null_not_zero_and_names_are_matched_by_code():
    parsed = cftc.parse_tff(YEARLY_SAMPLE.read_text())
    assert parsed.rows_by_code == {"133741": 2, "133742": 1, "146021": 1, "146022": 1}
    rows = _rows(parsed.table)
    assert rows[("133741", date(2025, 10, 7))]["dealer_long"] is None  # bare "."
    assert rows[("133741", date(2025, 10, 14))]["asset_mgr_long"] is None  # padded "       ."
    assert rows[("146022", date(2025, 10, 7))]["asset_mgr_short"] is None
    assert rows[("146022", date(2025, 10, 7))]["open_interest_all"] == 119503
    assert rows[("146022", date(2025, 10, 7))]["market_name"] == (
        "MICRO ETHER - CHICAGO MERCANTILE EXCHANGE"
    )
    assert "099741" not in parsed.rows_by_code and "999999" not in parsed.rows_by_code


def test_headerless_weekly_file_uses_the_official_layout():
    parsed = cftc.parse_tff(WEEKLY_SAMPLE.read_text())
    rows = _rows(parsed.table)
    assert set(rows) == {("133741", date(2025, 10, 21)), ("146021", date(2025, 10, 21))}
    assert rows[("133741", date(2025, 10, 21))]["lev_money_short"] == 21500


def test_extra_codes_are_configurable():
    contracts = cftc.contracts_with_extra(["133LM4:btc:0.01"])
    parsed = cftc.parse_tff(YEARLY_SAMPLE.read_text(), contracts)
    nano = _rows(parsed.table)[("133LM4", date(2025, 10, 7))]
    assert (nano["base_asset"], nano["contract_units"]) == ("BTC", 0.01)
    unsized = cftc.parse_tff(YEARLY_SAMPLE.read_text(), cftc.contracts_with_extra(["133LM4:BTC"]))
    assert _rows(unsized.table)[("133LM4", date(2025, 10, 7))]["contract_units"] is None
    with pytest.raises(ValueError, match="CODE:BASE"):
        cftc.contracts_with_extra(["133LM4"])


def test_contract_units_text_is_checked_against_the_configured_size():
    assert cftc_parse.parse_contract_units("(5 Bitcoins)") == 5.0
    assert cftc_parse.parse_contract_units("(Bitcoin X $0.10)") == 0.1
    assert cftc_parse.parse_contract_units("(50 Index Points)") == 50.0
    assert cftc_parse.parse_contract_units("(EUR 125,000)") is None
    wrong = {"133741": cftc.CftcContract("133741", "BTC", 10.0, "misconfigured")}
    parsed = cftc.parse_tff(YEARLY_SAMPLE.read_text(), wrong)
    assert parsed.unit_mismatches and "133741" in parsed.unit_mismatches[0]
    assert set(parsed.table.column("contract_units").to_pylist()) == {10.0}


def test_number_and_date_formats_of_all_file_vintages():
    assert cftc_parse.parse_number("   30503") == 30503.0
    assert cftc_parse.parse_number("  .") is None and cftc_parse.parse_number("") is None
    assert cftc_parse.parse_number("93212.000000") == 93212.0
    assert cftc_parse.parse_number("   -583") == -583.0
    assert cftc_parse.parse_date("2026-03-17") == date(2026, 3, 17)
    assert cftc_parse.parse_date("10/19/2010 12:00:00 AM") == date(2010, 10, 19)
    assert cftc_parse.parse_date("260317") == date(2026, 3, 17)


def test_bundle_style_rows_and_combined_rows():
    header = ",".join(f'"{c}"' for c in cftc_layout.TFF_COLUMNS)
    values = ["" for _ in cftc_layout.TFF_COLUMNS]
    values[0:3] = ['"BITCOIN - CHICAGO MERCANTILE EXCHANGE"', "171226", "12/26/2017 12:00:00 AM"]
    values[3:8] = ["133741", "CME ", "00", "133 ", "1000.000000"]
    values[-1] = '"FutOnly"'
    combined = list(values)
    combined[1:3] = ["180102", "01/02/2018 12:00:00 AM"]
    combined[-1] = '"Combined"'
    text = "\n".join([header, ",".join(values), ",".join(combined)])
    parsed = cftc.parse_tff(text)
    assert parsed.skipped_not_futonly == 1
    (row,) = parsed.table.to_pylist()
    assert (row["report_date"], row["open_interest_all"]) == (date(2017, 12, 26), 1000.0)
    assert row["release_date"] == date(2017, 12, 29)


def test_zip_member_is_read():
    assert cftc_parse.read_zip_text(_zip("hello")) == "hello"
    with pytest.raises(ValueError, match="no .txt"):
        cftc_parse.read_zip_text(_zip("x", member="readme.pdf"))


# --------------------------------------------------------------------------- calendar


@pytest.mark.parametrize(
    ("report", "release"),
    [
        (date(2026, 3, 17), date(2026, 3, 20)),  # ordinary Tuesday -> Friday
        (date(2025, 10, 7), date(2025, 11, 21)),  # shutdown backlog (announced schedule)
        (date(2025, 11, 10), date(2025, 12, 12)),  # Monday report (Veterans Day Tuesday)
        (date(2024, 7, 2), date(2024, 7, 8)),  # July 4 on Thursday -> Monday
        (date(2024, 11, 26), date(2024, 12, 2)),  # Thanksgiving week -> Monday
        (date(2026, 1, 20), date(2026, 1, 23)),  # back to normal after the backlog
    ],
)
def test_release_date_rules(report, release):
    assert release_date_for(report) == release


def test_report_date_moves_to_monday_on_a_tuesday_holiday():
    assert expected_report_date(date(2025, 11, 11)) == date(2025, 11, 10)
    assert expected_report_date(date(2025, 11, 18)) == date(2025, 11, 18)


def test_overdue_reports_know_the_backlog():
    now = datetime(2025, 11, 20, 21, 0, tzinfo=UTC)  # after the first catch-up release
    overdue = overdue_report_dates({date(2025, 9, 23)}, date(2025, 9, 23), now)
    assert overdue == [date(2025, 9, 30)]  # 10-07 onwards are not released yet
    assert (
        overdue_report_dates({date(2025, 9, 23), date(2025, 9, 30)}, date(2025, 9, 23), now) == []
    )


# --------------------------------------------------------------------------- landing, backfill


def test_landing_is_per_report_date_and_idempotent(tmp_path):
    table = cftc.parse_tff(YEARLY_SAMPLE.read_text()).table
    first = cftc_landing.land_cftc(table, data_root=tmp_path)
    assert [r.path.parent.name for r in first] == ["dt=2025-10-07", "dt=2025-10-14"]
    assert all(r.path.name == "part-0.parquet" for r in first)
    assert [r.rows for r in first] == [4, 1]
    before = [r.path.read_bytes() for r in first]
    again = cftc_landing.land_cftc(table, data_root=tmp_path)
    assert [r.path.read_bytes() for r in again] == before
    # a late burst carrying the same report date again gives the same bytes
    burst = pa.concat_tables(
        [
            cftc.parse_tff(WEEKLY_SAMPLE.read_text()).table,
            cftc.rows_for_report_date(table, date(2025, 10, 7)),
        ]
    )
    results = {r.path.parent.name: r for r in cftc_landing.land_cftc(burst, data_root=tmp_path)}
    assert results["dt=2025-10-07"].path.read_bytes() == before[0]
    assert results["dt=2025-10-21"].rows == 2


def test_backfill_with_an_offline_fetch(tmp_path):
    served = {
        cftc.HISTORY_URL.format(year=2025): _zip(YEARLY_SAMPLE.read_text()),
        cftc.WEEKLY_URL: WEEKLY_SAMPLE.read_bytes(),
    }

    def fetch(url: str) -> bytes:
        if url not in served:
            raise SourceHttpError("cftc", url, 404, 1)
        return served[url]

    report = cftc_landing.backfill_cftc([2025, 2026], fetch, data_root=tmp_path)
    assert report.missing == (cftc.HISTORY_URL.format(year=2026),)
    assert report.rows_by_code == {"133741": 3, "133742": 1, "146021": 2, "146022": 1}
    assert (report.report_dates, report.first_report_date, report.last_report_date) == (
        3,
        date(2025, 10, 7),
        date(2025, 10, 21),
    )
    before = {p: p.read_bytes() for p in report.paths}
    rerun = cftc_landing.backfill_cftc([2025, 2026], fetch, data_root=tmp_path)
    assert {p: p.read_bytes() for p in rerun.paths} == before


def test_history_urls_use_the_bundle_before_2017():
    urls = cftc_landing.history_urls([2015, 2016, 2017])
    assert urls == [cftc.HISTORY_BUNDLE_URL, cftc.HISTORY_URL.format(year=2017)]
    assert urls[1] == "https://www.cftc.gov/files/dea/history/fut_fin_txt_2017.zip"
