"""The rules every import kind passes before anything lands, whatever parsed the file.

An importer kind only turns a file into contract-shaped rows (:class:`Parsed`). This module
then decides, for every row, whether it may reach the warehouse:

* in a dataset keyed by venue and symbol (the exchange datasets), its venue must be configured
  (``universe.configured_venues()``) and its symbol configured on that venue
  (``universe.configured_symbols(venue)``; a dated contract counts when its perpetual root is
  configured, since listed expiries change);
* it must pass the landing's own validation (``landing.split_valid``: required fields, finite
  numbers, positive prices, non-negative amounts, one row per key).

Rows that fail are returned with their reason, never dropped silently; the caller quarantines
them and refuses the import unless the user allowed rejects. New kinds get all of this for free
because :func:`orchestration.sources.importers.import_files` calls :func:`screen` for every kind.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from orchestration.landing import landing
from orchestration.landing.raw_schemas import DATASETS_BY_NAME
from orchestration.lib.universe import configured_symbols, configured_venues
from orchestration.sources.importers.common import Reject
from orchestration.sources.importers.parsed import Parsed

VENUE_NOT_CONFIGURED = "venue not configured"
SYMBOL_NOT_CONFIGURED = "symbol not configured on its venue"
_DATED_SUFFIX = re.compile(r"-\d{6}$")


@dataclass
class Screened:
    """Rows that may land (one Arrow table per dataset) and the rows refused, with reasons."""

    tables: dict[str, pa.Table] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(t.num_rows for t in self.tables.values())


def _universe(env: Mapping[str, str] | None) -> dict[str, frozenset[str]]:
    return {v: frozenset(configured_symbols(v, env)) for v in configured_venues(env)}


def universe_reason(
    venue: str | None, symbol: str | None, universe: Mapping[str, frozenset[str]]
) -> str | None:
    """Why a (venue, symbol) may not land, or None when it is configured."""
    if venue not in universe:
        return VENUE_NOT_CONFIGURED
    symbols = universe[venue]
    if symbol in symbols or _DATED_SUFFIX.sub("", symbol or "") in symbols:
        return None
    return SYMBOL_NOT_CONFIGURED


def _text(row: Mapping[str, Any]) -> str:
    return json.dumps(row, default=str, sort_keys=True)


def screen(parsed: Parsed, env: Mapping[str, str] | None = None) -> Screened:
    """Split ``parsed`` rows into what may land and what is refused (with the reason)."""
    universe = _universe(env)
    result = Screened()
    for dataset, rows in sorted(parsed.rows.items()):
        spec = DATASETS_BY_NAME[dataset]
        per_venue = {"venue", "symbol"} <= set(spec.schema.names)  # not rates, CFTC, ETF
        kept: list[dict[str, Any]] = []
        for row in rows:
            reason = (universe_reason(row.get("venue"), row.get("symbol"), universe)
                      if per_venue else None)
            if reason is None:
                kept.append(row)
            else:
                result.rejects.append(Reject(dataset, 0, reason, _text(row)))
        valid, rejected = landing.split_valid(spec, pa.Table.from_pylist(kept, schema=spec.schema))
        for row in rejected.to_pylist():
            reason = row.pop("reject_reason")
            result.rejects.append(Reject(dataset, 0, reason, _text(row)))
        result.tables[dataset] = valid
    return result
