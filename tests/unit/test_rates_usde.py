"""USDe supply (DefiLlama format) and the optional synthetic-dollar hedge component."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from orchestration.sources.reference import usde

FIXTURE = (
    Path(__file__).resolve().parents[1] / "fixtures" / "reference" / "defillama_usde_chart.json"
)


def test_defillama_chart_parses_daily_supply():
    points = usde.parse_defillama_chart(FIXTURE.read_text())
    assert [p.day for p in points] == [date(2025, 12, 29), date(2025, 12, 30), date(2025, 12, 31)]
    assert points[0].supply_usd == pytest.approx(6.25e9 * 0.999)  # the USD-valued series


def test_hedge_component_is_off_unless_configured():
    point = usde.parse_defillama_chart(FIXTURE.read_text())[-1]
    off = usde.hedge_component(point)
    assert off.notional_usd is None and "off" in off.label
    on = usde.hedge_component(point, 0.25)
    assert on.notional_usd == pytest.approx(point.supply_usd * 0.25)
    assert "configured" in on.label
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        usde.hedge_component(point, 1.5)
