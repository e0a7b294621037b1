"""The targets of issue 16, held against one benchmark run's medians: met, missed or n/a.

Every target compares numbers measured side by side in the same run (process-wall medians,
the process tree's sampled peak RSS). The targets stated "at 5 years" only have a status when
the run's history is at least five years (1,826 daily partitions); on a shorter history
(``--quick``, ``--years 1``) their value is still shown, measured at the history the run had,
and the status says ``n/a (history < 5 y)`` instead of a status the run cannot support.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

FIVE_YEARS_DAYS = 1826
ONE_MONTH_DAYS = 30
NEEDS_FIVE_YEARS = "n/a (history < 5 y)"
NOT_MEASURED = "n/a (not measured)"
MIB_PER_GIB = 1024.0


@dataclass(frozen=True)
class Target:
    """One target row: what it asks, the measured value (and how it was obtained), status."""

    target: str
    value: float | None
    measured: str
    status: str


def _status(value: float | None, ok: Callable[[float], bool], *, five_years: bool) -> str:
    if value is None:
        return NOT_MEASURED
    if not five_years:
        return NEEDS_FIVE_YEARS
    return "met" if ok(value) else "missed"


def _wall(measurements: dict[str, Any], name: str) -> float | None:
    m = measurements.get(name)
    return m["median_wall_s"] if m and m["samples"] else None


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def _cli_target(target: str, measurement: dict[str, Any] | None, limit_s: float) -> Target:
    """A command-line target (independent of the history): median process wall < limit."""
    if not measurement or not measurement["samples"]:
        return Target(target, None, "not measured (--skip-demo)", NOT_MEASURED)
    value = measurement["median_wall_s"]
    return Target(
        target,
        value,
        f"{value:.1f} s ({measurement['detail']}, median of {len(measurement['samples'])})",
        _status(value, lambda v: v < limit_s, five_years=True),
    )


def evaluate(result: dict[str, Any]) -> list[Target]:
    """The issue's targets for one result (``run_benchmark``'s dict: measurements with their
    medians and ``history_days``)."""
    ms = result["measurements"]
    dailies = {
        m["history_days"]: (name, m)
        for name, m in ms.items()
        if name.startswith("daily@") and m.get("history_days")
    }
    history = result["history_days"]
    at_5y = history >= FIVE_YEARS_DAYS
    # the daily run after exactly 5 years when the history is longer, else the longest one
    long_days = FIVE_YEARS_DAYS if FIVE_YEARS_DAYS in dailies else max(dailies, default=None)
    long_name, long_m = dailies[long_days] if long_days else (None, None)
    short_name, short_m = dailies.get(ONE_MONTH_DAYS, (None, None))
    long_s = long_m["median_wall_s"] if long_m else None
    short_s = short_m["median_wall_s"] if short_m else None
    floor_s = _wall(ms, "floor")
    dbt_s = _wall(ms, "dbt_full")
    peer_s = _wall(ms, "pandas_full")
    rss = long_m["max_tree_rss_mib"] if long_m else None
    at = f"{long_name} ({history} d of history)" if long_name else "?"

    def secs(value: float | None) -> str:
        return "?" if value is None else f"{value:.1f} s"

    rows = []
    value = _ratio(long_s, short_s) if long_name != short_name else None
    rows.append(
        Target(
            "daily 5 y / daily 1 month <= 1.3",
            value,
            f"{value:.2f}: {at} {secs(long_s)} / {short_name} {secs(short_s)}"
            if value is not None
            else "no daily run at 1 month and a longer history",
            _status(value, lambda v: v <= 1.3, five_years=at_5y),
        )
    )
    value = _ratio(long_s, floor_s)
    rows.append(
        Target(
            "daily 5 y < 2 x floor",
            value,
            f"{value:.2f}: {at} {secs(long_s)} / floor {secs(floor_s)}" if value else "?",
            _status(value, lambda v: v < 2.0, five_years=at_5y),
        )
    )
    value = _ratio(peer_s, long_s)
    rows.append(
        Target(
            "pandas full recompute / daily run at 5 y >= 2",
            value,
            f"{value:.2f}: pandas peer {secs(peer_s)} / {at} {secs(long_s)}" if value else "?",
            _status(value, lambda v: v >= 2.0, five_years=at_5y),
        )
    )
    value = _ratio(dbt_s, peer_s)
    rows.append(
        Target(
            "dbt full build no slower than the pandas peer (dbt / pandas <= 1)",
            value,
            f"{value:.2f}: dbt full build {secs(dbt_s)} / pandas peer {secs(peer_s)} "
            f"({history + 1} d)"
            if value
            else "?",
            _status(value, lambda v: v <= 1.0, five_years=at_5y),
        )
    )
    rows.append(
        Target(
            "peak RSS (process tree) of the daily run at 5 y < 1 GiB",
            rss,
            f"{rss / MIB_PER_GIB:.2f} GiB ({rss:.0f} MiB): {at}" if rss is not None else "?",
            _status(rss, lambda v: v < MIB_PER_GIB, five_years=at_5y),
        )
    )
    rows.append(_cli_target("warm `perp-fragility demo` < 40 s", ms.get("demo_warm"), 40.0))
    rows.append(
        _cli_target("warm `perp-fragility report --week` < 5 s", ms.get("report_warm"), 5.0)
    )
    return rows


def as_dicts(targets: list[Target]) -> list[dict[str, Any]]:
    """JSON form of the targets (results file)."""
    return [asdict(t) for t in targets]


def to_markdown(targets: list[Target]) -> list[str]:
    """The targets table, one row per target."""
    lines = ["| target (issue 16) | measured | status |", "|---|---|---|"]
    lines += [f"| {t.target} | {t.measured} | **{t.status}** |" for t in targets]
    return lines
