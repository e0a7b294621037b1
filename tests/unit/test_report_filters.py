"""Formatting filters and the executive-summary sentences."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest

from reports import filters as f
from reports.narrative import MAX_SENTENCES, summary_sentences


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


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: f.pct(0.1234), "12.3 %"),  # desk precision: one decimal
        (lambda: f.pct(0.1234, 2), "12.34 %"),
        (lambda: f.pct(0.1095, 2), "10.95 %"),
        (lambda: f.pct(-0.0005, 2), "\u22120.05 %"),
        (lambda: f.pct(-0.00001, 2), "0.00 %"),  # no negative zero
        (lambda: f.pct(0.05, 1, signed=True), "+5.0 %"),
        (lambda: f.pp(0.021), "+2.1 pp"),
        (lambda: f.bp(0.00012), "1.2 bp"),
        (lambda: f.bp(-0.0003, signed=True), "\u22123.0 bp"),
        (lambda: f.usd(1.234e9), "$1.23 bn"),
        (lambda: f.usd(456.7e6), "$456.7 m"),
        (lambda: f.usd(999.96e6), "$1.00 bn"),
        (lambda: f.usd(12_345.0), "$12.3 k"),
        (lambda: f.usd(950.0), "$950"),
        (lambda: f.usd(-2.5e12), "\u2212$2.50 tn"),
        (lambda: f.usd(0.0), "$0"),
        (lambda: f.usd_m(140.2), "+$140.2 m"),
        (lambda: f.usd_m(-1210.4), "\u2212$1.21 bn"),
        (lambda: f.price(1812.4), "$1,812.40"),
        (lambda: f.price(83412.0), "$83,412"),
        (lambda: f.signed(5.9), "+5.9"),
        (lambda: f.signed(-1.94), "\u22121.9"),
        (lambda: f.signed(0.0), "0.0"),
        (lambda: f.index(63.8), "63.8"),
        (lambda: f.fmt_date(date(2025, 4, 6)), "2025-04-06"),
        (lambda: f.fmt_date(date(2025, 4, 6), "long"), "6 Apr 2025"),
        (lambda: f.times(6.8), "6.8\u00d7"),
        (lambda: f.component_value(-0.1119, "apr"), "\u221211.2 %"),
        # the shortfall below the hurdle prints as the (negative) carry: one sign everywhere
        (lambda: f.component_value(0.4777, "apr", "carry_below_hurdle"), "\u221247.8 %"),
        (lambda: f.words("cme_lev_money_short (low: net)"), "CME leveraged-fund shorts (low: net)"),
        (lambda: f.component_value(2.31, "ratio"), "2.31"),
    ],
)
def test_formats(call, expected):
    assert call() == expected


@pytest.mark.parametrize("name", sorted(f.FILTERS))
def test_missing_is_a_dash_never_zero(name):
    fn = f.FILTERS[name]
    value = fn(None, "share") if name == "component_value" else fn(None)
    assert value == f.NA
    if name not in ("date", "yes_no", "na"):
        nan = fn(float("nan"), "share") if name == "component_value" else fn(float("nan"))
        assert nan == f.NA


def test_summary_sentences_use_context_numbers():
    ctx = load_fixture_module().make_report_context()
    sentences = summary_sentences(ctx)
    assert 3 <= len(sentences) <= MAX_SENTENCES
    text = " ".join(sentences)
    eth, btc = ctx.assets
    assert sentences[0].startswith("ETH is the more fragile market")
    assert f.index(eth.fragility_index) in sentences[0]
    assert f.index(btc.fragility_index) in sentences[0]
    assert f"ETH rose {f.num(eth.index_change, 1)} points" in text
    assert "BTC was broadly unchanged" in text  # |change| < 2 points
    assert f.pct(eth.funding_apr_7d) in text and "10.95 %" in text
    assert "No unwind condition holds" in text


def test_summary_names_unwind_and_skips_missing_inputs():
    ctx = load_fixture_module().make_report_context()
    btc_carry = replace(ctx.carry[1], is_unwind_condition=True, unwind_reason="perp discount")
    ctx = replace(ctx, carry=(ctx.carry[0], btc_carry), arbitrage=(), etf_flows=())
    text = " ".join(summary_sentences(ctx))
    assert "The unwind condition holds at week end for BTC (perp discount)." in text
    assert "delta-neutral" not in text
    empty = replace(ctx, assets=(), carry=(), funding_history=())
    assert summary_sentences(empty) == ()
