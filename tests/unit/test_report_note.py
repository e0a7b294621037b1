"""The PDF as a desk reads it: page-1 wording rules and the text rules of issue 12.

The PDF text (pypdf) of the hand-made fixture context, rendered once with a negative carry
(the case where "Carry below hurdle" used to print +47.78 % while every other page printed
-47.78 %), must hold no local path, no snake_case identifier, no ``$0`` placeholder and one
sign per carry. :func:`text_problems` is the checker; it is also run on strings that break
each rule, so it cannot pass by finding nothing.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from reports import filters as f
from reports.context import ReportContext
from reports.render import render_pdf
from reports.takeaways import compare, takeaways
from tests.unit.test_report_render import load_fixture_module

LOCAL_PATH = re.compile(r"(?<![\w.])(?:/(?:tmp|home|Users|var|work|root|opt|mnt|srv|data)/|"
                        r"[A-Za-z]:\\)|\.duckdb\b")
SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
ZERO_DOLLARS = re.compile(r"\$0(?![\d.,])")
SIGNS = ("\u2212", "+", "-")


def carry_sign_problems(text: str, carries: dict[str, float]) -> list[str]:
    """Every printed magnitude of an asset's carry (one and two decimals) must carry the
    carry's sign: a '+47.8 %' beside a carry of -47.8 % is a disagreement."""
    problems = []
    for asset, carry in carries.items():
        want = "\u2212" if carry < 0 else "+"
        for digits in (1, 2):
            magnitude = f.num(abs(100 * carry), digits)
            for m in re.finditer(r"(.)" + re.escape(magnitude) + r" %", text):
                if m.group(1) != want and (m.group(1) in SIGNS or carry < 0):
                    problems.append(f"{asset} carry {want}{magnitude} % printed as "
                                    f"{m.group(0)!r}")
    return problems


def text_problems(text: str, carries: dict[str, float]) -> list[str]:
    """What a forwarded note must not contain."""
    problems = [f"local path {m.group(0)!r}" for m in LOCAL_PATH.finditer(text)]
    problems += [f"identifier {m.group(0)!r}" for m in SNAKE_CASE.finditer(text)]
    problems += [f"$0 placeholder near {text[max(0, m.start() - 30):m.end()]!r}"
                 for m in ZERO_DOLLARS.finditer(text)]
    return problems + carry_sign_problems(text, carries)


def negative_carry_context() -> ReportContext:
    """The fixture with ETH's carry 47.77 % below the hurdle, on every field that shows it."""
    ctx = load_fixture_module().make_report_context(is_synthetic=True)
    carry = -0.4777
    eth = ctx.asset("ETH")
    assert eth is not None
    components = tuple(
        replace(c, value=-carry) if c.name == "carry_below_hurdle"
        else replace(c, value=0.0) if c.name == "carry_over_hurdle" else c
        for c in eth.components
    )
    top = tuple(next(c for c in components if c.name == t.name) for t in eth.top_contributors)
    eth = replace(eth, carry_apr=carry, components=components, top_contributors=top)
    rows = tuple(
        replace(c, carry_apr=carry, funding_apr_7d=carry - c.staking_apr + c.hurdle_apr)
        if c.base_asset == "ETH" else c for c in ctx.carry
    )
    return replace(ctx, assets=(eth, *ctx.assets[1:]), carry=rows)


@pytest.fixture(scope="module")
def note(tmp_path_factory: pytest.TempPathFactory) -> tuple[ReportContext, list[str]]:
    ctx = negative_carry_context()
    path = render_pdf(ctx, tmp_path_factory.mktemp("note") / "note.pdf").path
    return ctx, [p.extract_text() for p in PdfReader(Path(path)).pages]


def test_pdf_text_has_no_path_identifier_placeholder_or_sign_disagreement(note):
    ctx, pages = note
    text = "\n".join(pages)
    carries = {c.base_asset: c.carry_apr for c in ctx.carry if c.carry_apr is not None}
    assert text_problems(text, carries) == []
    assert "\u221247.8 %" in text  # the carry is printed, with its sign
    assert ctx.generated_from not in text and ctx.warehouse_id in text


def test_checker_finds_each_problem():
    carries = {"ETH": -0.4777}
    bad = ("Source: /tmp/data/warehouse.duckdb | cme_lev_money_short | Synthetic-dollar "
           "hedge $0 | Carry below hurdle +47.77 % | carry \u221247.8 %")
    found = text_problems(bad, carries)
    assert any(p.startswith("local path") for p in found)
    assert any("cme_lev_money_short" in p for p in found)
    assert any(p.startswith("$0") for p in found)
    assert any("+47.77 %" in p for p in found)
    assert text_problems("carry \u221247.8 %, $0.5 bn, $1.20 bn", carries) == []


def test_page_one_is_the_note(note):
    ctx, pages = note
    first = re.sub(r"\s+", " ", pages[0])
    for label in ("What changed.", "Why it matters.", "What to watch.", "Figure 1.",
                  "Contents", "Ranking window", "Weekly return"):
        assert label in first
    for m in ctx.market:
        assert f.price(m.reference_price_usd) in first
        assert f.signed_pct(m.price_change_7d_pct) in first
    assert "Disclaimer" in pages[-1] and "Methodology version" in pages[-1]


def test_every_figure_has_number_title_and_source(note):
    _, pages = note
    text = re.sub(r"\s+", " ", " ".join(pages))
    numbers = [int(n) for n in re.findall(r"Figure (\d+)\. ", text)]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 10
    assert text.count("Source: ") >= len(numbers)


def test_absent_input_reads_not_available():
    ctx = load_fixture_module().make_report_context()
    from reports.render import render_html

    html = render_html(ctx)
    assert "not available: none configured" in html  # synthetic-dollar hedge 0, unset
    assert "since the first day in the warehouse" in html.lower()


def test_two_indices_under_the_threshold_read_level():
    ctx = load_fixture_module().make_report_context()
    eth, btc = ctx.assets
    near = [replace(eth, fragility_index=57.2), replace(btc, fragility_index=57.5)]
    assert compare(near) == "the two markets are level on the index (BTC 57.5 vs ETH 57.2)"
    apart = [replace(eth, fragility_index=55.0), replace(btc, fragility_index=57.5)]
    assert compare(apart) == "BTC is the more fragile market (BTC 57.5 vs ETH 55.0)"
    labels = [t.label for t in takeaways(ctx)]
    assert labels == ["What changed", "Why it matters", "What to watch"]
