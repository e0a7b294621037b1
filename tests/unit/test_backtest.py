"""The track-record statistics on a hand-made 20-week history, values computed by hand."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from orchestration.commands.backtest import backtest
from orchestration.lib.backtest import format_tables, horizons_up_to, run_backtest, spearman


def _history() -> pd.DataFrame:
    """Weeks 2023-W01..W20 of asset X. Drawdowns 0, -0.01 .. -0.04 repeating, except the two
    falls: W06 -0.30 and W15 -0.40. Index 10 except W04 90, W06 80, W10 85, W15 20. Regime
    'unwind risk' in W05, W06, W10, else 'calm'; one incomplete week (W21) is left out."""
    rows = []
    for week in range(1, 22):
        drawdown = {6: -0.30, 15: -0.40}.get(week, -0.01 * (week % 5))
        rows.append({
            "iso_week": f"2023-W{week:02d}", "base_asset": "X",
            "fragility_index": {4: 90.0, 6: 80.0, 10: 85.0, 15: 20.0}.get(week, 10.0),
            "buildup_index": float(week), "stress_index": None,
            "regime": "unwind risk" if week in (5, 6, 10) else "calm",
            "forward_max_drawdown_1w": drawdown,
        })
    rows[-1].update(regime="incomplete week", fragility_index=None)
    return pd.DataFrame(rows)


def test_spearman_by_hand() -> None:
    x = pd.Series([1, 2, 3, 4, 5, 6, 7, 8], dtype=float)
    y = pd.Series([2, 1, 4, 3, 6, 5, 8, 7], dtype=float)
    # 1 - 6 * sum(d^2) / (n (n^2 - 1)) = 1 - 6 * 8 / (8 * 63) = 0.9047619...
    assert spearman(x, y) == pytest.approx(1 - 48 / 504)
    assert spearman(x, -x) == pytest.approx(-1.0)
    assert spearman(x.iloc[:5], y.iloc[:5]) is None  # fewer than 8 pairs: no statistic
    assert spearman(x, pd.Series([1.0] * 8)) is None  # a constant side has no ranking


def test_full_sample_episodes_regimes_and_lead_times() -> None:
    full = run_backtest(_history(), (1,)).result("X", 1, "full")
    assert full.n == 20 and full.last_week == "2023-W20"  # the incomplete week is not scored
    # p10 of 20 drawdowns: position 1.9 between -0.30 and -0.04: -0.30 + 0.9 * 0.26 = -0.066
    assert full.episode_threshold == pytest.approx(-0.066)
    assert [e.onset_week for e in full.episodes] == ["2023-W06", "2023-W15"]
    assert full.base_rate == pytest.approx(2 / 20)
    skill = {s.regime: s for s in full.regimes}
    assert (skill["unwind risk"].weeks, skill["unwind risk"].hits) == (3, 1)
    assert skill["unwind risk"].precision == pytest.approx(1 / 3)
    assert skill["unwind risk"].recall == pytest.approx(1 / 2)
    assert skill["calm"].precision == pytest.approx(1 / 17)
    # index alarm: p80 of the index = 10 + 0.2 * (20 - 10) = 12 -> W04, W06, W10, W15
    assert full.alarm_threshold == pytest.approx(12.0)
    w06, w15 = full.episodes
    assert (w06.lead_weeks_index, w06.lead_weeks_regime) == (2, 1)  # W04 and W05 alarms
    assert (w15.lead_weeks_index, w15.lead_weeks_regime) == (0, None)
    assert w15.worst_drawdown == -0.40 and w15.regime_at_onset == "calm"
    # build-up = the week number: unrelated to the falls; stress unknown -> no statistic
    assert full.spearman("stress_index") is None
    assert full.spearman("buildup_index") == pytest.approx(
        spearman(pd.Series(range(1, 21), dtype=float),
                 _history()["forward_max_drawdown_1w"].iloc[:20]))


def test_halves_fix_thresholds_on_the_first_half() -> None:
    result = run_backtest(_history(), (1,))
    first, second = result.result("X", 1, "first half"), result.result("X", 1, "second half")
    assert (first.first_week, first.last_week) == ("2023-W01", "2023-W10")
    assert (second.first_week, second.last_week) == ("2023-W11", "2023-W20")
    # fitted on W01..W09 (the last h = 1 week of the first half left out): drawdowns sorted
    # -0.30, -0.04, ...: p10 at position 0.8 = -0.30 + 0.8 * 0.26 = -0.092
    assert second.episode_threshold == first.episode_threshold == pytest.approx(-0.092)
    assert [e.onset_week for e in second.episodes] == ["2023-W15"]
    # index p80 over W01..W09 (10 x 7, 80, 90): position 6.4 -> 10 + 0.4 * (80 - 10) = 38
    assert second.alarm_threshold == pytest.approx(38.0)
    # so W15 (index 20) is below the fitted alarm: not warned by the index, nor by a regime
    assert (second.episodes[0].lead_weeks_index, second.episodes[0].lead_weeks_regime) == (
        None, None)


def test_horizon_choice_and_text() -> None:
    assert horizons_up_to(2) == (1, 2)
    with pytest.raises(ValueError, match="1, 2 or 4|one of 1, 2, 4"):
        horizons_up_to(3)
    text = format_tables(run_backtest(_history(), (1,)))
    assert "2023-W15" in text and "unwind risk" in text


def test_command_reads_the_mart_and_writes_json(tmp_path, capsys) -> None:
    import duckdb

    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        frame = _history()
        conn.register("history", frame)
        conn.execute("create table fct_fragility_forward as select * from history")
    out = tmp_path / "bt.json"
    backtest(warehouse, 1, out)
    assert "Spearman" in capsys.readouterr().out
    payload = json.loads(out.read_text())
    assert payload["source"] == "fct_fragility_forward" and payload["horizons"] == [1]
    with pytest.raises(SystemExit, match="one of"):
        backtest(warehouse, 3)
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(SystemExit, match="cannot write"):
        backtest(warehouse, 1, blocker / "bt.json")  # a file where a folder must be
    with pytest.raises(SystemExit, match="warehouse not found"):
        backtest(tmp_path / "none.duckdb", 1)


def test_report_track_record_uses_only_closed_windows() -> None:
    from datetime import date, timedelta

    import duckdb

    from reports.warehouse_track_record import track_record

    frame = _history()
    frame["week_end"] = [date(2023, 1, 8) + timedelta(weeks=i) for i in range(len(frame))]
    frame["forward_max_drawdown_2w"] = frame["forward_max_drawdown_4w"] = float("nan")
    with duckdb.connect() as conn:
        assert track_record(conn, date(2023, 6, 4)) == ()  # no mart: no block, no error
        conn.register("history", frame)
        conn.execute("create table fct_fragility_forward as select * from history")
        # report Sunday 2023-05-21 = W20's week end: W20's 1-week window has not closed yet
        rows = track_record(conn, date(2023, 5, 21))
    full = next(r for r in rows if (r.horizon_weeks, r.sample) == (1, "full"))
    assert (full.first_week, full.last_week, full.weeks) == ("2023-W01", "2023-W19", 19)
    assert full.episodes == 2 and full.spearman_stress is None


def test_the_cli_registers_backtest() -> None:
    from orchestration.cli import build_parser

    args = build_parser().parse_args(["backtest", "--horizon-weeks", "2", "--json", "x.json"])
    assert (args.horizon_weeks, str(args.json)) == (2, "x.json")
    assert build_parser().parse_args(["backtest"]).horizon_weeks == 4
