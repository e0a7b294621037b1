"""The weekly PDF renders from a hand-made context: pages, text, synthetic labels, charts."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from pypdf import PdfReader

from reports import RenderResult, render_html, render_pdf
from reports import filters as f
from reports.render import SYNTHETIC_LABEL

SECTION_TITLES = (
    "Executive summary",
    "Funding",
    "Basis",
    "Carry versus hurdle",
    "Open interest and arbitrage share",
    "ETF flows",
    "Fragility components",
    "Data quality and methodology",
)


def load_fixture_module() -> ModuleType:
    """``tests/fixtures/report_context.py`` by path (no packages, no conftest)."""
    name = "perp_fragility_fixture_report_context"
    if name not in sys.modules:
        path = Path(__file__).resolve().parents[1] / "fixtures" / "report_context.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xa0", " "))


def _pages_text(path: Path) -> list[str]:
    return [_squash(page.extract_text()) for page in PdfReader(path).pages]


@pytest.fixture(scope="module")
def synthetic_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[RenderResult, list[str]]:
    ctx = load_fixture_module().make_report_context(is_synthetic=True)
    result = render_pdf(ctx, tmp_path_factory.mktemp("synthetic") / "nested" / "report.pdf")
    return result, _pages_text(result.path)


@pytest.fixture(scope="module")
def real_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[RenderResult, list[str]]:
    ctx = load_fixture_module().make_report_context(is_synthetic=False)
    result = render_pdf(ctx, tmp_path_factory.mktemp("real") / "report.pdf")
    return result, _pages_text(result.path)


def test_pdf_is_written_atomically_with_enough_pages(synthetic_pdf):
    result, pages = synthetic_pdf
    assert result.path.is_file()
    assert result.pages == len(pages) >= 5
    assert result.seconds > 0
    assert result.blocked_urls == ()
    assert [p.name for p in result.path.parent.iterdir()] == ["report.pdf"]  # no temp left


def test_pdf_text_has_week_indices_and_sections(synthetic_pdf):
    _, pages = synthetic_pdf
    ctx = load_fixture_module().make_report_context()
    text = " ".join(pages)
    assert ctx.iso_week in pages[0]
    for asset in ctx.assets:
        assert f"{f.index(asset.fragility_index)} (" in pages[0]  # the asset strip
    # hand-computed from the fixture: ETH 0.5 * 75.6 + 0.5 * 8.2 = 41.9, BTC 26.9
    assert "41.9" in pages[0] and "26.9" in pages[0]
    for asset in ctx.assets:  # the two sides are printed beside the index
        assert f.index(asset.buildup_index) in text and f.index(asset.stress_index) in text
    for title in SECTION_TITLES:
        assert title in text
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
    for page in pages[1:]:
        assert f"Week {ctx.iso_week}" in page  # running header from string-set


#: The page-1 contents line: link label -> the section title it points at.
CONTENTS = {
    "Index this week": "Executive summary",
    "Funding": "Funding",
    "Basis": "Basis",
    "Carry": "Carry versus hurdle",
    "Open interest": "Open interest and arbitrage share",
    "ETF flows": "ETF flows",
    "Components": "Fragility components",
    "Data quality, methodology": "Data quality and methodology",
}


def test_contents_page_numbers_point_at_sections(synthetic_pdf):
    _, pages = synthetic_pdf
    line = _squash(pages[0][pages[0].index("Contents"):])
    for label, title in CONTENTS.items():
        match = re.search(r"(?:^|[\s\u00b7])" + re.escape(label) + r"[\s\u00a0]+(\d+)", line)
        assert match, label
        target = int(match.group(1))
        assert title in _squash(pages[target - 1]), (label, target)


def test_synthetic_label_on_every_page(synthetic_pdf, real_pdf):
    _, pages = synthetic_pdf
    assert all(SYNTHETIC_LABEL in page for page in pages)
    _, real_pages = real_pdf
    assert not any(SYNTHETIC_LABEL in page for page in real_pages)
    assert not any("SYNTHETIC" in page for page in real_pages)


def test_same_context_gives_same_text(synthetic_pdf, tmp_path):
    _, pages = synthetic_pdf
    ctx = load_fixture_module().make_report_context(is_synthetic=True)
    again = render_pdf(ctx, tmp_path / "again.pdf")
    assert _pages_text(again.path) == pages


def test_html_embeds_svg_charts_and_summary():
    ctx = load_fixture_module().make_report_context()
    html = render_html(ctx)
    # 3 week charts + 7 history charts (the fixture has no liquidations)
    assert html.count('src="data:image/svg+xml;base64,') == 10
    assert "http://" not in html.replace("http://www.w3.org", "")
    assert render_html(ctx) == html  # deterministic charts (hash salt, no date)
    summary = html[html.index('id="summary"'):html.index('id="funding"')]
    assert summary.count("<p>") >= 3
