"""``perp-fragility report --week`` renders once per set of inputs; ``--force`` always renders."""

from __future__ import annotations

import os

import pytest

from tests.conftest import E2E_WEEK


@pytest.fixture(scope="module")
def fresh_render(pipeline_run):
    """A render of the session's week from the warehouse as it is now: other tests of the
    session may have rebuilt the shared warehouse since the session's own render, which makes
    that PDF rightly stale."""
    from orchestration import cli

    cli.render_week(E2E_WEEK, instance=pipeline_run.instance)
    return pipeline_run


def _pdf_events(run) -> int:
    import dagster as dg

    from orchestration.defs.report import PDF_KEY

    return len(run.instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=PDF_KEY), limit=1000).records)


def test_an_unchanged_week_is_not_rendered_again(fresh_render, capsys):
    from orchestration import cli

    pdf = fresh_render.data_dir / "reports" / f"fragility-{E2E_WEEK}.pdf"
    before, mtime = _pdf_events(fresh_render), pdf.stat().st_mtime_ns
    capsys.readouterr()
    assert cli.render_week(E2E_WEEK, instance=fresh_render.instance) == pdf
    out = capsys.readouterr().out
    assert "unchanged since its last render" in out and str(pdf) in out
    assert _pdf_events(fresh_render) == before and pdf.stat().st_mtime_ns == mtime


def test_a_changed_warehouse_is_stale_and_force_or_a_deleted_pdf_render_again(fresh_render):
    from orchestration import cli
    from orchestration.commands.report_week import is_rendered

    pdf = fresh_render.data_dir / "reports" / f"fragility-{E2E_WEEK}.pdf"
    instance = fresh_render.instance
    assert is_rendered(E2E_WEEK, instance)

    warehouse = fresh_render.data_dir / "warehouse.duckdb"
    stat = warehouse.stat()
    os.utime(warehouse, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert not is_rendered(E2E_WEEK, instance)  # a writer touched the warehouse
    os.utime(warehouse, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert is_rendered(E2E_WEEK, instance)

    before = _pdf_events(fresh_render)
    cli.render_week(E2E_WEEK, instance=instance, force=True)
    assert _pdf_events(fresh_render) == before + 1

    pdf.unlink()
    assert not is_rendered(E2E_WEEK, instance)
    cli.render_week(E2E_WEEK, instance=instance)
    assert pdf.is_file() and _pdf_events(fresh_render) == before + 2
