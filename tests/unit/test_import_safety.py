"""The shared import path: unconfigured venues/symbols and invalid values are refused into the
quarantine (the whole import unless rejects are allowed), inputs that cannot be imported stop
with one line, every import has an id and a record, and forgetting one removes its files only.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from orchestration.landing import landing
from orchestration.landing.raw_schemas import FUNDING_RATES
from orchestration.sources.importers import (
    PARSERS,
    ImportInputError,
    import_files,
    records,
)
from orchestration.sources.importers.parsed import Parsed

HEADER = "venue,symbol,funding_ts,rate\n"
GOOD = "binance,ETH/USDT:USDT,2024-03-01T00:00:00Z,0.0001\n"


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def _quarantined(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_an_unknown_venue_refuses_the_whole_import_and_lands_nothing(tmp_path) -> None:
    src = _write(tmp_path / "f.csv", HEADER + GOOD + "foo,ETH/USDT:USDT,2024-03-01T08:00:00Z,0.1\n")
    report = import_files("funding", [src], tmp_path / "data")
    assert report.refused and report.rows_landed == 0 and report.rows_read == 2
    assert report.rejected_by_reason == {"venue not configured": 1}
    assert landing.read_dataset(FUNDING_RATES, tmp_path / "data").num_rows == 0
    rows = _quarantined(report.rejects_path)
    assert [r["reason"] for r in rows] == ["venue not configured"] and '"foo"' in rows[0]["text"]
    record = records.load(report.import_id, tmp_path / "data")
    assert record.status == "refused" and record.parts == []
    assert "REFUSED" in report.describe() and str(report.rejects_path) in report.describe()


def test_allow_rejects_lands_the_valid_rows(tmp_path) -> None:
    src = _write(tmp_path / "f.csv", HEADER + GOOD + "foo,ETH/USDT:USDT,2024-03-01T08:00:00Z,0.1\n")
    report = import_files("funding", [src], tmp_path / "data", allow_rejects=True)
    assert not report.refused and report.rows_landed == 1 and report.rejected == 1
    assert landing.read_dataset(FUNDING_RATES, tmp_path / "data").column("venue").to_pylist() == [
        "binance"]


def test_a_venue_outside_the_configured_subset_and_an_unlisted_symbol_are_refused(tmp_path):
    src = _write(tmp_path / "f.csv", HEADER + GOOD
                 + "okx,ETH/USDT:USDT,2024-03-01T00:00:00Z,0.0001\n"
                 + "binance,DOGE/USDT:USDT,2024-03-01T00:00:00Z,0.0001\n")
    report = import_files("funding", [src], tmp_path / "data", allow_rejects=True,
                          env={"PERP_FRAGILITY_VENUES": "binance,bybit"})
    assert report.rejected_by_reason == {"venue not configured": 1,
                                         "symbol not configured on its venue": 1}
    assert report.rows_landed == 1


def test_values_that_fail_validation_are_refused_with_their_reason(tmp_path) -> None:
    src = _write(tmp_path / "f.csv", HEADER + GOOD
                 + "binance,ETH/USDT:USDT,2024-03-01T08:00:00Z,inf\n"
                 + "binance,ETH/USDT:USDT,2024-03-01T00:00:00Z,0.0002\n")  # duplicate key
    report = import_files("funding", [src], tmp_path / "data")
    assert report.refused
    assert report.rejected_by_reason == {"non-finite rate": 1, "duplicate key": 1}


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such file"), ("", r"is empty \(0 bytes\)"), (HEADER, "no data rows"),
     ("\n\n", "no data rows")],
)
def test_inputs_that_cannot_be_imported_stop_with_one_line(tmp_path, content, message) -> None:
    src = tmp_path / "f.csv"
    if content is not None:
        src.write_text(content)
    with pytest.raises(ImportInputError, match=message) as error:
        import_files("funding", [src], tmp_path / "data")
    assert "\n" not in str(error.value)
    assert not (tmp_path / "data" / "raw").exists() or landing.read_dataset(
        FUNDING_RATES, tmp_path / "data").num_rows == 0


def test_a_new_kind_gets_the_same_rules_from_its_registration_line(tmp_path, monkeypatch):
    def parse(paths: list[Path], tz: str | None) -> Parsed:
        parsed = Parsed(rows_read=1)
        parsed.add("funding_rates", {"source": "import:test", "venue": "foo", "symbol": "X/Y:Y",
                                     "base_asset": "X", "funding_ts": None, "rate": 0.1})
        return parsed

    monkeypatch.setitem(PARSERS, "test-kind", parse)
    report = import_files("test-kind", [_write(tmp_path / "f.csv", "x\n")], tmp_path / "data")
    assert report.refused and report.rejected_by_reason == {"venue not configured": 1}


def test_ids_follow_the_bytes_and_forget_removes_only_that_import(tmp_path) -> None:
    data = tmp_path / "data"
    a = _write(tmp_path / "a.csv", HEADER + GOOD)
    b = _write(tmp_path / "b.csv", HEADER + "bybit,BTC/USDT:USDT,2024-03-01T00:00:00Z,0.0001\n")
    first = import_files("funding", [a], data)
    assert first.import_id == records.import_id("funding", [a]) == import_files(
        "funding", [a], data).import_id
    second = import_files("funding", [b], data)
    assert first.import_id != second.import_id
    assert [r.id for r in records.all_records(data)] == sorted(
        [first.import_id, second.import_id],
        key=lambda i: (records.load(i, data).created_at, i))
    forgotten = records.forget(first.import_id, data)
    assert forgotten.rows_by_dataset == {"funding_rates": 1}
    left = landing.read_dataset(FUNDING_RATES, data).to_pylist()
    assert [(r["venue"], r["symbol"]) for r in left] == [("bybit", "BTC/USDT:USDT")]
    assert records.load(first.import_id, data) is None
    with pytest.raises(records.UnknownImportError, match="perp-fragility imports"):
        records.forget(first.import_id, data)


def test_datasets_without_venues_are_not_screened_by_venue(tmp_path, monkeypatch) -> None:
    """A reference kind (rates, staking) has no venue or symbol: only the landing rules apply."""
    from datetime import date as day

    def parse(paths: list[Path], tz: str | None) -> Parsed:
        parsed = Parsed(rows_read=2)
        parsed.add("rates", {"source": "import:test", "date": day(2024, 3, 1),
                             "series": "usd_tbill_3m", "value": 0.05, "is_filled": False})
        parsed.add("rates", {"source": "import:test", "date": day(2024, 3, 2),
                             "series": "usd_tbill_3m", "value": float("nan"), "is_filled": False})
        return parsed

    monkeypatch.setitem(PARSERS, "test-rates", parse)
    report = import_files("test-rates", [_write(tmp_path / "r.csv", "x\n")], tmp_path / "data",
                          allow_rejects=True)
    assert report.rows_landed == 1 and report.rejected_by_reason == {"non-finite value": 1}
