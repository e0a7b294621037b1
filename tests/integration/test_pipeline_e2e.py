"""End to end, in process: simulated market -> raw Parquet -> dbt on DuckDB -> weekly PDF.

One session-scoped run (tests/conftest.py) lands 2026-10-26 .. 2026-11-22 and renders
2026-W47; these tests read what it left behind.
"""

from __future__ import annotations

import duckdb
import pyarrow.parquet as pq
from pypdf import PdfReader

from tests.conftest import E2E_END, E2E_START, E2E_WEEK

MARTS = (
    "fct_funding_rates",
    "fct_funding_daily",
    "fct_basis",
    "fct_basis_term_daily",
    "fct_open_interest_daily",
    "fct_arbitrage_share",
    "fct_carry_daily",
    "fct_market_daily",
    "fct_etf_flows_daily",
    "fct_fragility_weekly",
    "fct_fragility_daily",
)


def _query(run, sql: str, *params):
    with duckdb.connect(str(run.data_dir / "warehouse.duckdb"), read_only=True) as conn:
        return conn.execute(sql, list(params)).fetchall()


def test_every_asset_of_both_jobs_was_materialised(pipeline_run):
    from orchestration.definitions import defs

    definitions = defs()
    for job_name in ("daily_market_job", "warehouse_job", "weekly_report_job"):
        job = definitions.resolve_job_def(job_name)
        for key in job.asset_layer.executable_asset_keys:
            record = pipeline_run.instance.get_latest_materialization_event(key)
            assert record is not None, f"{key.to_user_string()} was not materialised"


def test_raw_partitions_cover_the_window(pipeline_run):
    days = (E2E_END - E2E_START).days + 1
    funding_dir = pipeline_run.data_dir / "raw/exchange/funding_rates"
    assert len(list(funding_dir.glob("dt=*/part-0.parquet"))) == days
    assert not list(pipeline_run.data_dir.glob("raw/**/.tmp-*"))
    table = pq.read_table(funding_dir / f"dt={E2E_END}/part-0.parquet")
    assert set(table.column("source").to_pylist()) == {"simulated"}


def test_marts_exist_and_hold_the_window(pipeline_run):
    for mart in MARTS:
        (count,) = _query(pipeline_run, f"select count(*) from main.{mart}")[0]
        assert count > 0, f"{mart} is empty"
    first, last = _query(pipeline_run, "select min(date), max(date) from main.fct_funding_daily")[0]
    assert (first, last) == (E2E_START, E2E_END)


def test_funding_annualisation_matches_the_interval(pipeline_run):
    rows = _query(
        pipeline_run,
        """
        select venue, min(interval_hours), max(interval_hours),
               max(abs(apr_simple - rate * 8760 / interval_hours))
        from main.fct_funding_rates group by venue order by venue
        """,
    )
    intervals = {venue: (lo, hi) for venue, lo, hi, _ in rows}
    assert intervals["hyperliquid"] == (1.0, 1.0)
    assert intervals["okx"] == (8.0, 8.0)
    assert all(err < 1e-12 for *_, err in rows)


def test_pdf_holds_the_week_and_the_warehouse_index(pipeline_run):
    assert pipeline_run.pdf.name == f"fragility-{E2E_WEEK}.pdf"
    reader = PdfReader(pipeline_run.pdf)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert E2E_WEEK in text
    for asset in ("ETH", "BTC"):
        (index, regime, history, needed) = _query(
            pipeline_run,
            "select fragility_index, regime, rank_history_weeks, min_history_weeks "
            "from main.fct_fragility_weekly where iso_week = ? and base_asset = ?",
            E2E_WEEK,
            asset,
        )[0]
        # four weeks of data: the components have < 52 complete weeks of history, so the index
        # is not published and the report says it is warming up, with the history length
        assert index is None and regime == "warming up" and history < needed == 52
        flat = " ".join(text.split())
        assert "warming up" in flat.lower()
        assert f"shortest component history is {history} complete weeks" in flat
    # the synthetic label is on every page of a report built from the simulated market
    assert all("SYNTHETIC" in page.extract_text().upper() for page in reader.pages)


def test_pdf_text_passes_the_note_rules(pipeline_run):
    """The pipeline's own PDF: no local path (the data dir is a pytest tmp path), no
    snake_case identifier, no $0 placeholder, every carry printed with the warehouse's sign."""
    from tests.unit.test_report_note import text_problems

    text = "\n".join(page.extract_text() for page in PdfReader(pipeline_run.pdf).pages)
    carries = dict(_query(
        pipeline_run,
        "select base_asset, carry_apr from main.fct_carry_daily "
        "where date = ? and carry_apr is not null",
        E2E_END,
    ))
    assert carries  # the rule is checked against real values
    assert text_problems(text, carries) == []
    assert str(pipeline_run.data_dir) not in text


def test_rerunning_a_day_gives_identical_bytes(pipeline_run):
    from orchestration import cli

    target = pipeline_run.data_dir / f"raw/exchange/funding_rates/dt={E2E_END}/part-0.parquet"
    before = target.read_bytes()
    cli.run_range(E2E_END, E2E_END, instance=pipeline_run.instance)
    assert target.read_bytes() == before


def test_a_successful_landing_run_requests_one_warehouse_build(pipeline_run):
    import dagster as dg

    from orchestration.defs.jobs import warehouse_after_landing

    instance = pipeline_run.instance
    landing_run = instance.get_runs(dg.RunsFilter(job_name="daily_market_job"), limit=1)[0]
    record = instance.get_run_record_by_id(landing_run.run_id)
    success = next(
        e
        for e in instance.all_logs(landing_run.run_id)
        if e.dagster_event and e.dagster_event.event_type == dg.DagsterEventType.RUN_SUCCESS
    )
    context = dg.build_run_status_sensor_context(
        sensor_name=warehouse_after_landing.name,
        dagster_instance=instance,
        dagster_run=record.dagster_run,
        dagster_event=success.dagster_event,
    )
    request = warehouse_after_landing(context)
    assert isinstance(request, dg.RunRequest)
    assert request.run_key == f"warehouse-after-{landing_run.run_id}"
