"""The "Track record" block of the report's methodology page, from ``fct_fragility_forward``.

Why a module of its own: the report must show the index's record as it stood at the report
week, not with hindsight. Each horizon h uses only the weeks whose forward window (week end +
7h days) had closed by the report's Sunday; the statistics are those of ``perp-fragility
backtest`` (:mod:`orchestration.lib.backtest`), so the PDF, the CLI and docs/validation.md
cannot disagree on a method.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pandas as pd

from orchestration.lib import backtest
from reports.context import TrackRecordRow, TrackRecordRules

MART = "fct_fragility_forward"


def rules() -> TrackRecordRules:
    """The back-test's fixed rules, for the page to state."""
    return TrackRecordRules(
        episode_quantile=backtest.EPISODE_QUANTILE,
        alarm_quantile=backtest.ALARM_QUANTILE,
        lookback_weeks=backtest.LOOKBACK_WEEKS,
        warning_regimes=tuple(sorted(backtest.WARNING_REGIMES)),
    )


def _row(result: backtest.SampleResult) -> TrackRecordRow:
    band = next((c.noise_band for c in result.correlations if c.index == "fragility_index"),
                None)
    return TrackRecordRow(
        asset=result.asset,
        horizon_weeks=result.horizon_weeks,
        sample=result.sample,
        first_week=result.first_week,
        last_week=result.last_week,
        weeks=result.n,
        spearman_fragility=result.spearman("fragility_index"),
        spearman_buildup=result.spearman("buildup_index"),
        spearman_stress=result.spearman("stress_index"),
        noise_band=band,
        episodes=len(result.episodes),
        warned_by_index=sum(1 for e in result.episodes if e.lead_weeks_index is not None),
        warned_by_regime=sum(1 for e in result.episodes if e.lead_weeks_regime is not None),
    )


def track_record(conn: duckdb.DuckDBPyConnection, week_end: date) -> tuple[TrackRecordRow, ...]:
    """Rows for every asset, horizon and sample known by ``week_end``; empty when the mart is
    absent (a warehouse built before it existed) or has no scored week yet."""
    try:
        frame = conn.execute(
            f"select * from {MART} where week_end <= ? order by base_asset, iso_week",
            [week_end],
        ).df()
    except duckdb.CatalogException:
        return ()
    if frame.empty:
        return ()
    frame["week_end"] = pd.to_datetime(frame["week_end"]).dt.date
    rows: list[TrackRecordRow] = []
    for horizon in backtest.HORIZONS:
        closed = frame[frame["week_end"] + timedelta(days=7 * horizon) <= week_end]
        if closed.empty:
            continue
        rows.extend(_row(r) for r in backtest.run_backtest(closed, (horizon,)).results)
    order = {a: i for i, a in enumerate(("ETH", "BTC"))}
    return tuple(sorted(rows, key=lambda r: (order.get(r.asset, 9), r.asset, r.horizon_weeks,
                                            ("full", "first half", "second half").index(
                                                r.sample))))
