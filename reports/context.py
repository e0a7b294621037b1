"""Everything the weekly PDF shows, as plain frozen data.

The report package never queries the warehouse and never imports Dagster: a caller (the
Dagster asset, a test, a notebook) builds one :class:`ReportContext` and hands it to
:func:`reports.render_pdf`. Keeping the context a tree of frozen, slotted dataclasses with
tuples (not lists) means a context cannot change while it is being rendered, compares by value
in tests, and documents in one place which numbers the reader sees.

Units follow the warehouse contract (``docs/marts.md``): rates, APRs, shares and ``_pct``
values are decimal fractions (0.1095 = 10.95 %), ``_usd`` values are US dollars, ``_usd_m`` are
millions of US dollars, dates are UTC calendar dates. ``None`` means "not available" and is
printed as an em dash, never as zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from reports.components import Component
from reports.history import ReportHistory
from reports.liquidations import LiquidationSection

#: 0.01 % per 8 h, annualised simple (3 x 365 x 0.0001): the interest component funding settles
#: at on Binance, Bybit and Hyperliquid when the premium is small. A baseline, not a cap.
BASELINE_APR = 0.1095

@dataclass(frozen=True, slots=True)
class DailyIndexPoint:
    """One day of an asset's index within the report week (``fct_fragility_daily``)."""

    date: date
    fragility_index: float | None
    buildup_index: float | None
    stress_index: float | None
    regime: str | None


@dataclass(frozen=True, slots=True)
class AssetSummary:
    """The headline for one asset (ETH or BTC) for the week.

    Attributes:
        fragility_index: 0-100 composite (``fct_fragility_weekly``); None if not computed.
        previous_index / previous_iso_week: last week's index, for the change.
        index_change: fragility_index - previous_index (index points).
        regime: ``calm`` | ``crowded carry`` | ``unwind risk`` | ``unwinding`` | ``reset``;
            ``warming up`` before the components have min_history_weeks of history,
            ``insufficient data`` with a side unscored, ``incomplete week`` when the week is
            not scored (``is_complete_week`` false).
        buildup_index / stress_index: the two sides (0-100) the composite is made of.
        components_present / components_total: components with a score / designed.
        rank_history_weeks: shortest history (complete weeks) among the scored components.
        min_history_weeks / lookback_weeks: the history a score needs and the rank window.
        is_warming_up: no index yet because the history is shorter than min_history_weeks.
        components: all fourteen components, contract order.
        top_contributors: the three components with the largest contribution, largest first.
        funding_apr_7d: OI-weighted 7-day realised funding at week end.
        carry_apr: neutral carry net of the hurdle at week end.
        oi_change_7d_pct: 7-day change of total OI notional.
        is_unwind_condition / unwind_reason: the week-end unwind check and its text.
        complete_days_in_week: days of the week with complete funding on every venue (0-7).
        is_complete_week: all 7 days complete; an incomplete week has no index or scores.
            None when the warehouse does not say.
    """

    base_asset: str
    fragility_index: float | None
    previous_index: float | None
    previous_iso_week: str
    index_change: float | None
    regime: str | None
    previous_regime: str | None
    buildup_index: float | None
    stress_index: float | None
    components_present: int | None
    components_total: int | None
    rank_history_weeks: int | None
    min_history_weeks: int | None
    lookback_weeks: int | None
    is_warming_up: bool | None
    components: tuple[Component, ...]
    top_contributors: tuple[Component, ...]
    funding_apr_7d: float | None
    carry_apr: float | None
    oi_change_7d_pct: float | None
    is_unwind_condition: bool | None
    unwind_reason: str
    complete_days_in_week: int | None = None
    is_complete_week: bool | None = None
    daily: tuple[DailyIndexPoint, ...] = ()


@dataclass(frozen=True, slots=True)
class FundingRow:
    """Funding on one venue for one asset (``fct_funding_daily`` at its latest day in the week
    plus the week's settlements from ``fct_funding_rates``).

    Attributes:
        latest_date: the day the realised APRs are taken from (the Sunday unless data is late).
        realised_apr_1d / _7d / _30d: realised carry over 1, 7, 30 days, annualised.
        excess_apr_7d: the week's realised funding above the venue's baseline, annualised
            (sum of excess_rate over the week x 365 / 7); 0 on venues without a baseline means
            the whole rate is premium.
        share_at_baseline / share_negative / share_at_cap: of the week's settlements.
        settlements: settlements in the week, all symbols of the venue and asset.
        days_covered_7d: days with data among the 7 behind realised_apr_7d.
        oi_usd: the venue's perp OI notional on latest_date.
    """

    base_asset: str
    venue: str
    latest_date: date | None
    realised_apr_1d: float | None
    realised_apr_7d: float | None
    realised_apr_30d: float | None
    excess_apr_7d: float | None
    share_at_baseline: float | None
    share_negative: float | None
    share_at_cap: float | None
    settlements: int | None
    days_covered_7d: int | None
    oi_usd: float | None


@dataclass(frozen=True, slots=True)
class PerpPremiumRow:
    """The perp premium (mark vs index) on one venue over the week (``fct_basis`` kind perp).

    Attributes:
        mean_premium: mean of the daily mean premiums of the week.
        min_premium: the lowest daily mean premium of the week.
        discount_hours: hours with premium < 0; hours_observed: hours with data.
    """

    base_asset: str
    venue: str
    symbol: str
    mean_premium: float | None
    min_premium: float | None
    discount_hours: int | None
    hours_observed: int | None

    @property
    def discount_share(self) -> float | None:
        """Share of observed hours at a discount (None without observations)."""
        if not self.hours_observed or self.discount_hours is None:
            return None
        return self.discount_hours / self.hours_observed


@dataclass(frozen=True, slots=True)
class DatedContractRow:
    """A dated (or CME) future at the week's last observation: the term structure.

    Attributes:
        basis: F / S - 1 at the daily close.
        annualized_basis: basis x 365 / days_to_expiry; None under 7 days to expiry.
    """

    base_asset: str
    venue: str
    symbol: str
    kind: str
    observed_on: date
    expiry_date: date | None
    days_to_expiry: int | None
    basis: float | None
    annualized_basis: float | None


@dataclass(frozen=True, slots=True)
class BasisTermRow:
    """Constant-maturity annualised basis at the week's last observation
    (``fct_basis_term_daily``)."""

    base_asset: str
    observed_on: date
    cm30_apr: float | None
    cm90_apr: float | None
    is_cm30_extrapolated: bool | None
    is_cm90_extrapolated: bool | None
    contracts_used: int | None


@dataclass(frozen=True, slots=True)
class CarryRow:
    """Neutral carry versus the USD hurdle at week end (``fct_carry_daily``).

    ETH: funding_apr_7d + staking_apr - hurdle_apr. BTC: basis_cm30_apr - hurdle_apr.
    The three flags are the unwind checklist; any of them = unwind condition.
    """

    base_asset: str
    observed_on: date
    funding_apr_7d: float | None
    staking_apr: float | None
    hurdle_apr: float | None
    basis_cm30_apr: float | None
    carry_apr: float | None
    premium_7d: float | None
    is_carry_below_hurdle: bool | None
    is_funding_negative: bool | None
    is_perp_discount: bool | None
    is_unwind_condition: bool | None
    unwind_reason: str


@dataclass(frozen=True, slots=True)
class OpenInterestRow:
    """Open interest notional on one venue and contract kind at week end, and a week earlier."""

    base_asset: str
    venue: str
    kind: str
    observed_on: date
    oi_usd: float | None
    oi_usd_week_ago: float | None

    @property
    def change_pct(self) -> float | None:
        """Week-on-week change (None when either side is missing or zero)."""
        if self.oi_usd is None or not self.oi_usd_week_ago:
            return None
        return self.oi_usd / self.oi_usd_week_ago - 1


@dataclass(frozen=True, slots=True)
class ArbitrageBand:
    """The estimated delta-neutral share of futures OI with its named components
    (``fct_arbitrage_share`` at week end). The share is not observed: it is a band."""

    base_asset: str
    observed_on: date
    cftc_report_date: date | None
    reference_price_usd: float | None
    oi_perp_usd: float | None
    oi_dated_usd: float | None
    oi_cme_usd: float | None
    total_oi_usd: float | None
    cme_lev_net_short_usd: float | None
    cme_lev_gross_short_usd: float | None
    synthetic_dollar_hedge_usd: float | None
    arb_share_low: float | None
    arb_share_high: float | None
    arb_share_mid: float | None
    components: str


@dataclass(frozen=True, slots=True)
class MarketRow:
    """Crowding and leverage at week end (``fct_market_daily``)."""

    base_asset: str
    observed_on: date
    reference_price_usd: float | None
    price_change_7d_pct: float | None
    price_change_30d_pct: float | None
    oi_usd_total: float | None
    oi_change_7d_pct: float | None
    oi_change_30d_pct: float | None
    leverage_buildup_7d: float | None
    long_short_ratio: float | None
    perp_spot_volume_ratio: float | None


@dataclass(frozen=True, slots=True)
class EtfWeek:
    """US spot ETF net flow of one asset over one ISO week (sum of ``fct_etf_flows_daily``).

    Attributes:
        net_flow_usd_m: US$ millions, None when no day of the week was reported.
        days_reported: trading days with a row; ticker_days_missing: ticker-days not reported.
        cumulative_flow_usd_m: running total at the week's last reported day.
    """

    base_asset: str
    iso_week: str
    week_start: date
    net_flow_usd_m: float | None
    days_reported: int
    ticker_days_missing: int | None
    cumulative_flow_usd_m: float | None


@dataclass(frozen=True, slots=True)
class FundingPoint:
    """One day of cross-venue OI-weighted funding (1-day and 7-day realised APR)."""

    day: date
    apr_1d: float | None
    apr_7d: float | None


@dataclass(frozen=True, slots=True)
class FundingHistory:
    """OI-weighted funding APR of one asset over the 90 days ending on the week's Sunday."""

    base_asset: str
    points: tuple[FundingPoint, ...]


@dataclass(frozen=True, slots=True)
class IndexPoint:
    """One week of an asset's fragility index."""

    iso_week: str
    week_end: date
    fragility_index: float | None
    regime: str | None
    buildup_index: float | None = None
    stress_index: float | None = None


@dataclass(frozen=True, slots=True)
class IndexHistory:
    """An asset's fragility index over the trailing 52 weeks ending with the report week."""

    base_asset: str
    points: tuple[IndexPoint, ...]


@dataclass(frozen=True, slots=True)
class TrackRecordRow:
    """The index's track record for one asset, horizon and sample, as computed by the
    back-test (``orchestration.lib.backtest``) from ``fct_fragility_forward``, using only weeks
    whose forward window had closed by the report's week end.

    Attributes:
        sample: ``full``, ``first half`` or ``second half`` (thresholds fitted on the first).
        spearman_*: rank correlation of the index with the forward max drawdown (<= 0); a
            negative value means a higher index was followed by deeper falls. None = not
            computable (too few weeks, or the index has no values).
        noise_band: rough 95 % band for independent weeks, 1.96 / sqrt(n - 1).
        episodes: runs of worst-decile forward drawdowns; warned_*: of those, the ones with an
            index alarm / a warning regime in the weeks before the onset.
    """

    asset: str
    horizon_weeks: int
    sample: str
    first_week: str | None
    last_week: str | None
    weeks: int
    spearman_fragility: float | None
    spearman_buildup: float | None
    spearman_stress: float | None
    noise_band: float | None
    episodes: int
    warned_by_index: int
    warned_by_regime: int


@dataclass(frozen=True, slots=True)
class TrackRecordRules:
    """The stated rules of the back-test, read from its module (never typed in a template)."""

    episode_quantile: float
    alarm_quantile: float
    lookback_weeks: int
    warning_regimes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DataQualityNote:
    """Something the reader must know about the inputs (gap, staleness, extrapolation)."""

    severity: Literal["info", "warning"]
    text: str


@dataclass(frozen=True, slots=True)
class CoverageGap:
    """Venue-days of one venue, asset and dataset in the report week that are not complete
    (``fct_data_coverage_daily``), one row per run of the same status.

    Attributes:
        first_date / last_date: the first and last day of the run; days: days in it.
        status: ``partial`` | ``missing`` | ``failed`` | ``not available``.
        rows / expected: landed and expected rows over those days (expected None: presence
            only, e.g. dated futures).
        message: why, as the mart says it (the first day's message).
    """

    venue: str
    base_asset: str
    dataset: str
    status: str
    first_date: date
    last_date: date
    days: int
    rows: int
    expected: int | None
    message: str


@dataclass(frozen=True, slots=True)
class ReportContext:
    """The whole weekly report.

    Attributes:
        iso_week: ``YYYY-Www``; week_start (Monday) and week_end (Sunday), UTC.
        generated_from: the warehouse the numbers were read from (path or ``:memory:``).
        is_synthetic: any funding settlement in the 90-day window came from the simulator;
            every page then says so.
        assets: one summary per asset, ETH first.
        baseline_apr / hurdle: reference levels the tables and charts draw.
    """

    iso_week: str
    week_start: date
    week_end: date
    generated_from: str
    is_synthetic: bool
    assets: tuple[AssetSummary, ...]
    funding: tuple[FundingRow, ...]
    perp_premium: tuple[PerpPremiumRow, ...]
    dated_basis: tuple[DatedContractRow, ...]
    basis_term: tuple[BasisTermRow, ...]
    carry: tuple[CarryRow, ...]
    open_interest: tuple[OpenInterestRow, ...]
    arbitrage: tuple[ArbitrageBand, ...]
    market: tuple[MarketRow, ...]
    etf_flows: tuple[EtfWeek, ...]
    funding_history: tuple[FundingHistory, ...]
    fragility_history: tuple[IndexHistory, ...]
    notes: tuple[DataQualityNote, ...]
    baseline_apr: float = BASELINE_APR
    #: Not-complete venue-days of the week (the data-quality page lists them); None when the
    #: warehouse has no coverage mart, so coverage is unknown rather than complete.
    coverage_gaps: tuple[CoverageGap, ...] | None = ()
    liquidations: LiquidationSection | None = None
    track_record: tuple[TrackRecordRow, ...] = ()
    track_record_rules: TrackRecordRules | None = None
    #: daily histories of the history charts (None: not read, charts say so).
    history: ReportHistory | None = None
    #: how the PDF names the warehouse: a content hash, never a local path.
    warehouse_id: str = ""

    @property
    def asset_names(self) -> tuple[str, ...]:
        """Assets in report order."""
        return tuple(a.base_asset for a in self.assets)

    def asset(self, base_asset: str) -> AssetSummary | None:
        """The summary of one asset, or None."""
        return next((a for a in self.assets if a.base_asset == base_asset), None)

    def carry_for(self, base_asset: str) -> CarryRow | None:
        """The carry row of one asset, or None."""
        return next((c for c in self.carry if c.base_asset == base_asset), None)

    def arbitrage_for(self, base_asset: str) -> ArbitrageBand | None:
        """The arbitrage band of one asset, or None."""
        return next((b for b in self.arbitrage if b.base_asset == base_asset), None)

    def etf_week(self, base_asset: str) -> EtfWeek | None:
        """The report week's ETF flow of one asset, or None."""
        matches = (e for e in self.etf_flows if e.base_asset == base_asset)
        return next((e for e in matches if e.iso_week == self.iso_week), None)

