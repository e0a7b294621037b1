"""The digest a weekly PDF is rendered from (orchestration/lib/report_inputs.py)."""

from __future__ import annotations

import os

from orchestration.lib.report_inputs import (
    BYTES_KEY,
    INPUTS_KEY,
    inputs_digest,
    is_current,
    report_sources,
)
from orchestration.lib.settings import PROJECT_ROOT


def _files(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    warehouse.write_bytes(b"duckdb")
    template = tmp_path / "report.html.j2"
    template.write_text("<h1>{{ week }}</h1>")
    return warehouse, template


def test_the_sources_are_the_report_package_and_the_dbt_vars():
    sources = report_sources()
    names = {p.relative_to(PROJECT_ROOT).as_posix() for p in sources}
    assert "reports/templates/report.html.j2" in names
    assert "reports/render.py" in names
    assert "dbt_project/dbt_project.yml" in names
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)


def test_the_digest_follows_the_week_the_warehouse_and_the_templates(tmp_path, monkeypatch):
    monkeypatch.setattr("orchestration.lib.report_inputs.PROJECT_ROOT", tmp_path)
    warehouse, template = _files(tmp_path)
    first = inputs_digest("2026-W47", warehouse, [template])
    assert inputs_digest("2026-W47", warehouse, [template]) == first
    assert inputs_digest("2026-W46", warehouse, [template]) != first

    template.write_text("<h1>{{ week }}!</h1>")
    changed_template = inputs_digest("2026-W47", warehouse, [template])
    assert changed_template != first

    stat = warehouse.stat()
    os.utime(warehouse, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert inputs_digest("2026-W47", warehouse, [template]) != changed_template

    before_wal = inputs_digest("2026-W47", warehouse, [template])
    (tmp_path / "warehouse.duckdb.wal").write_bytes(b"pending")
    assert inputs_digest("2026-W47", warehouse, [template]) != before_wal


def test_current_only_with_the_same_digest_and_the_same_file(tmp_path):
    pdf = tmp_path / "fragility-2026-W47.pdf"
    pdf.write_bytes(b"%PDF-1.7 fourteen")
    previous = {INPUTS_KEY: "abc", BYTES_KEY: pdf.stat().st_size}
    assert is_current(previous, "abc", pdf)
    assert not is_current(previous, "abd", pdf)
    assert not is_current(None, "abc", pdf)
    assert not is_current({BYTES_KEY: pdf.stat().st_size}, "abc", pdf)  # rendered before digests
    pdf.write_bytes(b"%PDF-1.7 edited by hand")
    assert not is_current(previous, "abc", pdf)
    pdf.unlink()
    assert not is_current(previous, "abc", pdf)
