"""The file drop: stable names, atomic copies, an idempotent and escaped index."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

import pytest

from orchestration.distribution import FileDrop, PermanentDeliveryError, Report, deliver

WEEK = "2026-W47"


def make_pdf(directory: Path, week: str = WEEK, body: bytes = b"report") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"fragility-{week}.pdf"
    path.write_bytes(b"%PDF-1.7\n" + body + b"\n%%EOF\n")
    return path


def test_copies_under_the_stable_name_and_indexes_it(tmp_path: Path) -> None:
    source = tmp_path / "render" / "whatever-name.pdf"
    source.parent.mkdir()
    source.write_bytes(b"%PDF-1.7 bytes")
    drop = FileDrop(tmp_path / "archive")

    detail = drop.send_report(Report(path=source, week=WEEK, summary={"ETH": "0.61"}, pages=9))

    target = tmp_path / "archive" / "fragility-2026-W47.pdf"
    assert detail == str(target)
    assert target.read_bytes() == source.read_bytes()
    assert source.exists(), "the file drop copies, it never moves"
    index = json.loads((tmp_path / "archive" / "index.json").read_text())
    (entry,) = index["reports"]
    assert entry["week"] == WEEK
    assert entry["file"] == "fragility-2026-W47.pdf"
    assert entry["path"] == str(target)
    assert entry["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert entry["bytes"] == len(source.read_bytes())
    assert entry["pages"] == 9
    assert entry["created"].endswith("+00:00")
    assert entry["summary"] == ["ETH: 0.61"]
    html = (tmp_path / "archive" / "index.html").read_text()
    assert 'href="fragility-2026-W47.pdf"' in html
    assert not list((tmp_path / "archive").glob("*.tmp")), "no temporary file left behind"


def test_redelivery_is_idempotent_and_replaces_the_weeks_entry(tmp_path: Path) -> None:
    drop = FileDrop(tmp_path / "archive")
    first = make_pdf(tmp_path / "r1", "2026-W46", b"week 46")
    second = make_pdf(tmp_path / "r1", WEEK, b"week 47 v1")
    drop.send_report(Report(path=first, week="2026-W46"))
    drop.send_report(Report(path=second, week=WEEK))
    index_path = tmp_path / "archive" / "index.json"
    html_path = tmp_path / "archive" / "index.html"
    before = (index_path.read_bytes(), html_path.read_bytes())

    drop.send_report(Report(path=second, week=WEEK))  # same bytes again
    assert (index_path.read_bytes(), html_path.read_bytes()) == before

    second.write_bytes(b"%PDF-1.7 week 47 v2 (re-rendered)")
    drop.send_report(Report(path=second, week=WEEK, pages=12))
    entries = json.loads(index_path.read_text())["reports"]
    assert [e["week"] for e in entries] == [WEEK, "2026-W46"], "one entry per week, newest first"
    assert entries[0]["sha256"] == hashlib.sha256(second.read_bytes()).hexdigest()
    assert entries[0]["pages"] == 12
    assert sorted(p.name for p in (tmp_path / "archive").glob("*.pdf")) == [
        "fragility-2026-W46.pdf",
        "fragility-2026-W47.pdf",
    ]


def test_html_index_escapes_malicious_text(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    drop = FileDrop(archive)
    pdf = make_pdf(tmp_path / "r")
    evil_venue = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    drop.send_report(Report(path=pdf, week=WEEK, summary={evil_venue: "<b>0.9</b> & more"}))
    html = (archive / "index.html").read_text()
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "&amp; more" in html

    # a tampered index.json: a javascript: link, a traversal path and markup in the week
    index = json.loads((archive / "index.json").read_text())
    bad = dict(index["reports"][0])
    index["reports"] += [
        {**bad, "week": "2026-W01", "file": "javascript:alert(1)"},
        {**bad, "week": "2026-W02", "file": "../../etc/passwd"},
        {**bad, "week": "<script>x</script>", "file": "fragility-<script>.pdf"},
        "not even an object",
    ]
    (archive / "index.json").write_text(json.dumps(index))
    other = make_pdf(tmp_path / "r", "2026-W48")
    drop.send_report(Report(path=other, week="2026-W48"))
    html = (archive / "index.html").read_text()
    assert "javascript:" not in html and "passwd" not in html and "<script>" not in html
    weeks = [e["week"] for e in json.loads((archive / "index.json").read_text())["reports"]]
    assert weeks == ["2026-W48", WEEK]


@pytest.mark.parametrize("week", ["2026-W47/../../x", "../2026-W47", "2026-W99", "W47", ""])
def test_refuses_weeks_that_are_not_iso_weeks(tmp_path: Path, week: str) -> None:
    pdf = make_pdf(tmp_path / "r")
    with pytest.raises(ValueError, match="2026-W47"):
        FileDrop(tmp_path / "archive").send_report(Report(path=pdf, week=week))
    assert not (tmp_path / "archive").exists()


def test_archiving_the_file_onto_itself_keeps_it(tmp_path: Path) -> None:
    """The archive may be the reports directory itself: copying a file onto itself must not
    truncate it."""
    pdf = make_pdf(tmp_path / "reports")
    content = pdf.read_bytes()
    FileDrop(tmp_path / "reports").send_report(Report(path=pdf, week=WEEK))
    assert pdf.read_bytes() == content
    assert json.loads((tmp_path / "reports" / "index.json").read_text())["reports"][0]["bytes"]


def test_missing_source_is_a_permanent_failure(tmp_path: Path) -> None:
    with pytest.raises(PermanentDeliveryError, match="not found"):
        FileDrop(tmp_path / "a").send_report(Report(path=tmp_path / "nope.pdf", week=WEEK))


def test_concurrent_deliveries_keep_every_week(tmp_path: Path) -> None:
    drop = FileDrop(tmp_path / "archive")
    weeks = [f"2026-W{n:02d}" for n in range(40, 48)]
    pdfs = {week: make_pdf(tmp_path / "r", week, week.encode()) for week in weeks}
    threads = [
        threading.Thread(target=drop.send_report, args=(Report(path=pdfs[w], week=w),))
        for w in weeks
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert sorted(e.week for e in drop.entries()) == weeks


def test_deliver_with_a_broken_archive_reports_it_and_keeps_the_pdf(tmp_path: Path) -> None:
    blocker = tmp_path / "archive"
    blocker.write_text("a file where the archive directory should be")
    pdf = make_pdf(tmp_path / "r")
    report = deliver(pdf, {}, [FileDrop(blocker)], retries=2)
    (outcome,) = report.outcomes
    assert not outcome.ok and outcome.attempts == 1
    assert "archive directory" in (outcome.error or "")
    assert pdf.exists()
