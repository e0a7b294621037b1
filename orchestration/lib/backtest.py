"""The fragility index's track record, computed from ``fct_fragility_forward``.

Why: an index that only reacts, or points the wrong way, must say so in its own report. This
module scores what the index said at each week-end against what the spot price did next; it
has no Dagster or dbt in it, so the CLI (``perp-fragility backtest``), the report's
methodology page and the tests all call the same code on the same mart rows.

The rules, fixed before looking at any result (docs/validation.md, "Track record"):

* **Sample.** Per asset and horizon h (1, 2, 4 weeks), the weeks with a published index (not
  ``incomplete week``, ``warming up`` or ``insufficient data``) and a known h-week forward
  max drawdown.
* **Rank correlation.** Spearman of each index (composite, build-up, stress) with the forward
  max drawdown (<= 0; -0.2 = a 20 % fall): ranks with ties averaged, then Pearson (no scipy).
  A *negative* value is what a fragility index should show (higher index, deeper fall). The
  band ``1.96 / sqrt(n - 1)`` is the rough 95 % noise level for independent weeks; windows of
  h > 1 overlap, so the true band is wider.
* **Episodes from prices.** A week is an *episode week* when its forward max drawdown is at or
  below the 10th percentile of the asset's sample (``EPISODE_QUANTILE``). Consecutive episode
  weeks form one episode, dated by its first week (the onset).
* **Regime skill.** For every regime label: precision = episode weeks among the weeks with that
  regime; recall = episode weeks with that regime among all episode weeks; against the base
  rate (episode weeks / sample).
* **Lead time.** Two alarms: the index at or above the sample's 80th percentile
  (``ALARM_QUANTILE``), and a warning regime (``WARNING_REGIMES``). An episode's lead time is
  the number of weeks from the first alarm week in the ``LOOKBACK_WEEKS`` weeks before the
  onset (onset included) to the onset; none = not warned.
* **Halves.** The sample split at its middle week. Thresholds (episode drawdown, index alarm)
  are fitted on the first half only, without its last h weeks (their forward windows reach into
  the second half), then applied unchanged to the second half, which is evaluated.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

import pandas as pd

HORIZONS: tuple[int, ...] = (1, 2, 4)
INDEXES: tuple[str, ...] = ("fragility_index", "buildup_index", "stress_index")
EPISODE_QUANTILE = 0.10
ALARM_QUANTILE = 0.80
LOOKBACK_WEEKS = 4
UNSCORED_REGIMES = frozenset({"incomplete week", "warming up", "insufficient data"})
WARNING_REGIMES = frozenset({"crowded carry", "unwind risk", "unwinding"})
MIN_SAMPLE = 8
"""Fewer weeks than this in a sample: no statistics (a correlation of 5 points says nothing)."""


@dataclass(frozen=True, slots=True)
class Correlation:
    """Spearman of one index with the forward max drawdown over one sample."""

    index: str
    n: int
    spearman: float | None
    noise_band: float | None


@dataclass(frozen=True, slots=True)
class RegimeSkill:
    """How well weeks of one regime picked the episode weeks."""

    regime: str
    weeks: int
    hits: int
    precision: float | None
    recall: float | None


@dataclass(frozen=True, slots=True)
class Episode:
    """One run of consecutive episode weeks, dated by its onset week."""

    onset_week: str
    weeks: int
    worst_drawdown: float
    index_at_onset: float | None
    regime_at_onset: str
    lead_weeks_index: int | None
    lead_weeks_regime: int | None


@dataclass(frozen=True, slots=True)
class SampleResult:
    """All statistics of one asset, horizon and sample (``full``, ``first half``,
    ``second half``)."""

    asset: str
    horizon_weeks: int
    sample: str
    first_week: str | None
    last_week: str | None
    n: int
    episode_threshold: float | None
    alarm_threshold: float | None
    episode_weeks: int
    base_rate: float | None
    correlations: tuple[Correlation, ...]
    regimes: tuple[RegimeSkill, ...]
    episodes: tuple[Episode, ...] = field(default=())

    def spearman(self, index: str) -> float | None:
        """The Spearman of ``index`` in this sample, or None."""
        return next((c.spearman for c in self.correlations if c.index == index), None)

    @property
    def warned(self) -> int:
        """Episodes with an index or regime alarm in the lookback."""
        return sum(1 for e in self.episodes
                   if e.lead_weeks_index is not None or e.lead_weeks_regime is not None)


@dataclass(frozen=True, slots=True)
class Backtest:
    """The whole track record: one :class:`SampleResult` per asset, horizon and sample."""

    horizons: tuple[int, ...]
    results: tuple[SampleResult, ...]

    def result(self, asset: str, horizon: int, sample: str) -> SampleResult | None:
        return next((r for r in self.results if (r.asset, r.horizon_weeks, r.sample)
                     == (asset, horizon, sample)), None)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready, with the rules so a reader can tell what the numbers mean."""
        return {
            "source": "fct_fragility_forward",
            "rules": {
                "episode": f"forward max drawdown <= its {EPISODE_QUANTILE:.0%} quantile",
                "index_alarm": f"index >= its {ALARM_QUANTILE:.0%} quantile",
                "warning_regimes": sorted(WARNING_REGIMES),
                "lookback_weeks": LOOKBACK_WEEKS,
                "halves": "thresholds fitted on the first half (minus its last h weeks), "
                          "applied to the second",
            },
            "horizons": list(self.horizons),
            "results": [asdict(r) for r in self.results],
        }


def horizons_up_to(horizon_weeks: int) -> tuple[int, ...]:
    """The mart's horizons up to ``horizon_weeks`` (which must be one of them)."""
    if horizon_weeks not in HORIZONS:
        raise ValueError(f"--horizon-weeks must be one of {', '.join(map(str, HORIZONS))}, "
                         f"got {horizon_weeks}")
    return tuple(h for h in HORIZONS if h <= horizon_weeks)


def spearman(x: pd.Series, y: pd.Series) -> float | None:
    """Spearman rank correlation over the pairs where both are known (average ranks for
    ties, then Pearson); None with fewer than ``MIN_SAMPLE`` pairs or a constant side."""
    pairs = pd.DataFrame({"x": x, "y": y}).dropna()
    if len(pairs) < MIN_SAMPLE:
        return None
    rx, ry = pairs["x"].rank(), pairs["y"].rank()
    if rx.nunique() < 2 or ry.nunique() < 2:
        return None
    return float(rx.corr(ry))


def _week_number(iso_week: str) -> int:
    """A running week number, so ISO weeks can be tested for being consecutive."""
    year, week = iso_week.split("-W")
    return pd.Timestamp.fromisocalendar(int(year), int(week), 1).toordinal() // 7


def _episodes(sample: pd.DataFrame, history: pd.DataFrame, drawdown: str,
              episode_threshold: float, alarm_threshold: float | None) -> tuple[Episode, ...]:
    """Runs of consecutive episode weeks in ``sample``; alarms looked up in ``history`` (all
    scored weeks of the asset, so the lookback of an early onset can reach back)."""
    numbers = history.set_index("week_no")
    hits = sample[sample[drawdown] <= episode_threshold].sort_values("week_no")
    out: list[Episode] = []
    run: list[pd.Series] = []
    for _, row in hits.iterrows():
        if run and row["week_no"] != run[-1]["week_no"] + 1:
            out.append(_episode(run, numbers, drawdown, alarm_threshold))
            run = []
        run.append(row)
    if run:
        out.append(_episode(run, numbers, drawdown, alarm_threshold))
    return tuple(out)


def _episode(run: list[pd.Series], numbers: pd.DataFrame, drawdown: str,
             alarm_threshold: float | None) -> Episode:
    onset = run[0]
    lead_index: int | None = None
    lead_regime: int | None = None
    for k in range(LOOKBACK_WEEKS, -1, -1):  # earliest alarm week first
        week_no = onset["week_no"] - k
        if week_no not in numbers.index:
            continue
        before = numbers.loc[week_no]
        index = before["fragility_index"]
        if (lead_index is None and alarm_threshold is not None and pd.notna(index)
                and index >= alarm_threshold):
            lead_index = k
        if lead_regime is None and before["regime"] in WARNING_REGIMES:
            lead_regime = k
    return Episode(
        onset_week=str(onset["iso_week"]),
        weeks=len(run),
        worst_drawdown=float(min(r[drawdown] for r in run)),
        index_at_onset=None if pd.isna(onset["fragility_index"]) else float(
            onset["fragility_index"]),
        regime_at_onset=str(onset["regime"]),
        lead_weeks_index=lead_index,
        lead_weeks_regime=lead_regime,
    )


def _quantile(values: pd.Series, q: float) -> float | None:
    values = values.dropna()
    return float(values.quantile(q)) if len(values) >= MIN_SAMPLE else None


def _evaluate(asset: str, horizon: int, name: str, sample: pd.DataFrame, history: pd.DataFrame,
              episode_threshold: float | None, alarm_threshold: float | None) -> SampleResult:
    drawdown = f"forward_max_drawdown_{horizon}w"
    n = len(sample)
    correlations = tuple(
        Correlation(index, int(sample[index].notna().sum()),
                    spearman(sample[index], sample[drawdown]),
                    (1.96 / math.sqrt(sample[index].notna().sum() - 1)
                     if sample[index].notna().sum() >= MIN_SAMPLE else None))
        for index in INDEXES
    )
    if episode_threshold is None or n < MIN_SAMPLE:
        return SampleResult(asset, horizon, name, _first(sample), _last(sample), n,
                            episode_threshold, alarm_threshold, 0, None, correlations, ())
    is_episode = sample[drawdown] <= episode_threshold
    episode_weeks = int(is_episode.sum())
    regimes = tuple(
        RegimeSkill(
            regime=str(regime),
            weeks=int(flagged.sum()),
            hits=int((flagged & is_episode).sum()),
            precision=float((flagged & is_episode).sum() / flagged.sum()),
            recall=(float((flagged & is_episode).sum() / episode_weeks)
                    if episode_weeks else None),
        )
        for regime in sorted(sample["regime"].unique())
        for flagged in [sample["regime"] == regime]
    )
    return SampleResult(
        asset, horizon, name, _first(sample), _last(sample), n, episode_threshold,
        alarm_threshold, episode_weeks, episode_weeks / n, correlations, regimes,
        _episodes(sample, history, drawdown, episode_threshold, alarm_threshold),
    )


def _first(sample: pd.DataFrame) -> str | None:
    return str(sample["iso_week"].iloc[0]) if len(sample) else None


def _last(sample: pd.DataFrame) -> str | None:
    return str(sample["iso_week"].iloc[-1]) if len(sample) else None


def scored_weeks(frame: pd.DataFrame) -> pd.DataFrame:
    """The weeks with a published index, sorted, with a running week number."""
    scored = frame[~frame["regime"].isin(UNSCORED_REGIMES)
                   & frame["fragility_index"].notna()].copy()
    scored["week_no"] = scored["iso_week"].map(_week_number)
    return scored.sort_values(["base_asset", "week_no"]).reset_index(drop=True)


def run_backtest(frame: pd.DataFrame, horizons: Sequence[int] = HORIZONS,
                 assets: Iterable[str] | None = None) -> Backtest:
    """Score ``fct_fragility_forward`` rows (a DataFrame of the mart's columns)."""
    for index in INDEXES:
        if index not in frame.columns:
            frame = frame.assign(**{index: float("nan")})
    scored = scored_weeks(frame)
    results: list[SampleResult] = []
    wanted = sorted(assets) if assets is not None else sorted(scored["base_asset"].unique())
    for asset in wanted:
        history = scored[scored["base_asset"] == asset]
        for horizon in horizons:
            drawdown = f"forward_max_drawdown_{horizon}w"
            sample = history[history[drawdown].notna()].reset_index(drop=True)
            results.append(_evaluate(
                asset, horizon, "full", sample, history,
                _quantile(sample[drawdown], EPISODE_QUANTILE),
                _quantile(sample["fragility_index"], ALARM_QUANTILE)))
            middle = len(sample) // 2
            first, second = sample.iloc[:middle], sample.iloc[middle:]
            fit = first.iloc[: max(len(first) - horizon, 0)]
            episode_threshold = _quantile(fit[drawdown], EPISODE_QUANTILE)
            alarm_threshold = _quantile(fit["fragility_index"], ALARM_QUANTILE)
            results.append(_evaluate(asset, horizon, "first half", first, history,
                                     episode_threshold, alarm_threshold))
            results.append(_evaluate(asset, horizon, "second half", second, history,
                                     episode_threshold, alarm_threshold))
    return Backtest(tuple(horizons), tuple(results))


# ------------------------------------------------------------------------------- text


def _num(value: float | None, digits: int = 2, signed: bool = True) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.0f} %"


def _drawdown(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def format_tables(backtest: Backtest) -> str:
    """The plain-text tables the CLI prints (and docs/validation.md quotes)."""
    lines = ["Spearman of each index with the forward max drawdown (negative = the index "
             "warned: higher index, deeper fall); +/- = rough 95 % noise band",
             f"{'asset':<5} {'h':>2} {'sample':<11} {'weeks':<17} {'n':>3} "
             f"{'fragility':>9} {'buildup':>8} {'stress':>8} {'+/-':>5} "
             f"{'dd p10':>7} {'episodes':>8}"]
    for r in backtest.results:
        span = f"{r.first_week}..{r.last_week}" if r.first_week else "-"
        band = next((c.noise_band for c in r.correlations if c.index == "fragility_index"), None)
        lines.append(
            f"{r.asset:<5} {r.horizon_weeks:>2} {r.sample:<11} {span:<17} {r.n:>3} "
            f"{_num(r.spearman('fragility_index')):>9} {_num(r.spearman('buildup_index')):>8} "
            f"{_num(r.spearman('stress_index')):>8} {_num(band, signed=False):>5} "
            f"{_drawdown(r.episode_threshold):>7} "
            f"{len(r.episodes):>8}")
    lines += ["", "Regimes against the episode weeks (forward max drawdown in the worst decile; "
              "second half: first-half threshold)",
              f"{'asset':<5} {'h':>2} {'sample':<11} {'regime':<16} {'weeks':>5} {'hits':>4} "
              f"{'precision':>9} {'recall':>6} {'base rate':>9}"]
    for r in backtest.results:
        for s in r.regimes:
            lines.append(
                f"{r.asset:<5} {r.horizon_weeks:>2} {r.sample:<11} {s.regime:<16} {s.weeks:>5} "
                f"{s.hits:>4} {_pct(s.precision):>9} {_pct(s.recall):>6} "
                f"{_pct(r.base_rate):>9}")
    lines += ["", f"Episodes (onset week; lead = weeks from the first alarm in the "
              f"{LOOKBACK_WEEKS} weeks before the onset; '-' = not warned)",
              f"{'asset':<5} {'h':>2} {'sample':<11} {'onset':<8} {'weeks':>5} {'drawdown':>8} "
              f"{'index':>5} {'regime':<16} {'lead idx':>8} {'lead reg':>8}"]
    for r in backtest.results:
        if r.sample == "first half":
            continue  # the full sample lists them; the second half repeats its own
        for e in r.episodes:
            lead_i = "-" if e.lead_weeks_index is None else str(e.lead_weeks_index)
            lead_r = "-" if e.lead_weeks_regime is None else str(e.lead_weeks_regime)
            lines.append(
                f"{r.asset:<5} {r.horizon_weeks:>2} {r.sample:<11} {e.onset_week:<8} "
                f"{e.weeks:>5} {_drawdown(e.worst_drawdown):>8} "
                f"{_num(e.index_at_onset, 1, signed=False):>5} {e.regime_at_onset:<16} "
                f"{lead_i:>8} {lead_r:>8}")
    return "\n".join(lines)
