"""Freshness calendars and the row-count anomaly rule behind the raw asset checks."""

from datetime import date, timedelta

import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.landing.freshness import expected_latest_day, partition_rows, row_count_anomaly


def test_expected_latest_day_per_calendar():
    wednesday = date(2026, 11, 25)
    assert expected_latest_day("exchange", wednesday) == date(2026, 11, 24)
    assert expected_latest_day("rates", wednesday) == date(2026, 11, 24)
    # Monday: the last NYSE trading day before it is Friday
    assert expected_latest_day("etf", date(2026, 11, 23)) == date(2026, 11, 20)
    # Thanksgiving (Thu 2026-11-26) is no trading day
    assert expected_latest_day("etf", date(2026, 11, 27)) == date(2026, 11, 25)
    # Tuesday 11-24's report comes out Friday 11-27: on Wednesday the newest is 11-17
    assert expected_latest_day("cftc", wednesday) == date(2026, 11, 17)
    assert expected_latest_day("cftc", date(2026, 12, 1)).weekday() == 1


def test_row_count_anomaly_against_trailing_median():
    start = date(2026, 10, 1)
    rows = {start + timedelta(days=i): 72 for i in range(30)}
    last = start + timedelta(days=29)
    assert row_count_anomaly(rows, last) is None
    rows[last] = 30
    assert "30 rows against a trailing median of 72" in row_count_anomaly(rows, last)
    rows[last] = 200
    assert row_count_anomaly(rows, last) is not None
    # too little history: no verdict
    assert (
        row_count_anomaly({start: 1, start + timedelta(days=1): 500}, start + timedelta(1)) is None
    )


def test_partition_rows_reads_footers(tmp_path):
    for day, n in ((date(2026, 11, 20), 3), (date(2026, 11, 21), 5)):
        folder = tmp_path / f"dt={day}"
        folder.mkdir()
        pq.write_table(pa.table({"x": list(range(n))}), folder / "part-0.parquet")
    pq.write_table(pa.table({"x": [1]}), tmp_path / "dt=2026-11-21" / "part-import.parquet")
    assert partition_rows(tmp_path) == {date(2026, 11, 20): 3, date(2026, 11, 21): 6}


def test_freshness_as_of_follows_the_source(tmp_path):
    from orchestration.landing.freshness import freshness_as_of, landed_days

    for name in ("a/dt=2026-11-21", "a/dt=2026-11-22", "b/dt=2026-11-20"):
        (tmp_path / name).mkdir(parents=True)
    landed = landed_days([tmp_path / "a", tmp_path / "b", tmp_path / "missing"])
    assert sorted(landed) == [date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22)]
    wall = date(2026, 12, 3)
    as_of, rule = freshness_as_of("simulated", wall, landed)
    assert as_of == date(2026, 11, 23) and "2026-11-22" in rule
    # the demo's exchange data reaches the window's end: fresh; a dataset stopping at 11-20 lags
    assert expected_latest_day("exchange", as_of) == date(2026, 11, 22)
    assert freshness_as_of("live", wall, landed) == (wall, "wall clock (live source)")
    assert freshness_as_of("simulated", wall, [])[0] == wall
