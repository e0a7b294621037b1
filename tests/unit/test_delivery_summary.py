"""Weekly delivery reads the summary of its own week's PDF, not the latest of any week."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.distribution import report_summary
from orchestration.defs.report import weekly_fragility_pdf


def _materialize(instance: dg.DagsterInstance, partition: str, summary: dict) -> None:
    instance.report_runless_asset_event(dg.AssetMaterialization(
        asset_key=weekly_fragility_pdf.key, partition=partition,
        metadata={"summary": dg.MetadataValue.json(summary), "pages": 9},
    ))


def test_delivery_uses_its_own_partitions_summary() -> None:
    instance = dg.DagsterInstance.ephemeral()
    _materialize(instance, "2026-11-16", {"ETH": "0.61"})
    _materialize(instance, "2026-11-09", {"ETH": "0.42"})  # an older week re-rendered later
    assert report_summary(instance, "2026-11-16") == ({"ETH": "0.61"}, 9)
    assert report_summary(instance, "2026-11-09") == ({"ETH": "0.42"}, 9)
    assert report_summary(instance, "2026-11-23") == ({}, None)  # never rendered
