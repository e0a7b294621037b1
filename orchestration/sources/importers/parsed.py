"""The result of parsing import files, before landing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from orchestration.sources.importers.common import Reject


@dataclass
class Parsed:
    """Rows per raw dataset, lines that could not be parsed, and bookkeeping.

    Attributes:
        rows: dataset -> contract-shaped rows.
        rejects: unparseable lines with their reason.
        rows_read: data lines read (header excluded).
        summarised: intraday points folded into a daily snapshot (Binance metrics).
    """

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)
    rows_read: int = 0
    summarised: int = 0

    def add(self, dataset: str, row: dict[str, Any]) -> None:
        self.rows.setdefault(dataset, []).append(row)
