"""Read one ISO week of the warehouse marts into a :class:`reports.context.ReportContext`.

This is the only place where the report meets SQL. It reads the marts of ``docs/marts.md``
(schema ``main``) and nothing else, so the report depends on the documented contract, not on
staging or intermediate models. Values are taken as of the week's Sunday (the latest day in
the week when a mart is late, with a data-quality note saying so); histories end on that
Sunday: 90 days of funding, 52 weeks of the index, 8 weeks of ETF flows.

No Dagster here: the Dagster asset opens the warehouse with :func:`open_warehouse_readonly`,
calls :func:`build_report_context`, closes the connection at once (DuckDB allows one writer
and a reader blocks it) and renders afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import fields, replace
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Protocol, TypeVar, get_type_hints

import duckdb

from orchestration.lib import weeks
from reports import warehouse_track_record as track_record
from reports.components import (
    FRAGILITY_COMPONENTS,
    build_components,
    rank_contributors,
)
from reports.context import (
    ArbitrageBand,
    AssetSummary,
    BasisTermRow,
    CarryRow,
    CoverageGap,
    DailyIndexPoint,
    DataQualityNote,
    DatedContractRow,
    EtfWeek,
    FundingHistory,
    FundingPoint,
    FundingRow,
    IndexHistory,
    IndexPoint,
    MarketRow,
    OpenInterestRow,
    PerpPremiumRow,
    ReportContext,
)
from reports.warehouse_history import read_history
from reports.warehouse_liquidations import read_liquidation_section

SCHEMA = "main"
#: Report order of the assets; any other asset found follows alphabetically.
ASSET_ORDER = ("ETH", "BTC")
FUNDING_HISTORY_DAYS = 90
INDEX_HISTORY_WEEKS = 52
ETF_HISTORY_WEEKS = 8
#: CFTC positions are as of Tuesday and published Friday: at a Sunday week end they are 5 days
#: old when on time. Older than this and the arbitrage band gets a warning.
CFTC_STALE_DAYS = 12
HOURS_PER_WEEK = 168

_ISO_WEEK = re.compile(r"^\d{4}-W\d{2}$")

Row = dict[str, Any]
T = TypeVar("T")


class _PerAsset(Protocol):
    """A report row or history of one asset (what :func:`_by_asset` orders)."""

    @property
    def base_asset(self) -> str: ...


A = TypeVar("A", bound=_PerAsset)


class ReportDataMissingError(LookupError):
    """The warehouse has no data for the requested week."""


# -- weeks and connections ---------------------------------------------------------------------


def week_bounds(iso_week: str) -> tuple[date, date]:
    """``2025-W14`` -> (Monday 2025-03-31, Sunday 2025-04-06); ISO weeks, UTC calendar days."""
    if not _ISO_WEEK.match(iso_week):
        raise ValueError(f"week must look like 2026-W47, got {iso_week!r}")
    monday = weeks.week_monday(iso_week)
    return monday, monday + timedelta(days=6)


def open_warehouse_readonly(path: str | Path) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-only. DuckDB has one writer per file and even a reader's handle
    makes ``dbt build`` fail on the lock: open, read, close quickly."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"warehouse not found: {path} (run the pipeline first)")
    return duckdb.connect(str(path), read_only=True)


# -- SQL helpers -------------------------------------------------------------------------------


def _rows(conn: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[Row]:
    """Every row of a query, keyed by column name. The readers name their columns after the
    fields of the report's rows, so :func:`_record` can build those by name."""
    cur = conn.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, values, strict=True)) for values in cur.fetchall()]


def _value(conn: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> Any:
    """The first column of the first row (None without rows)."""
    rows = _rows(conn, sql, params)
    return next(iter(rows[0].values())) if rows else None


def _ts(day: date) -> str:
    """Midnight UTC of ``day`` as an explicit-offset literal (independent of the session's
    TimeZone setting)."""
    return f"{day.isoformat()} 00:00:00+00:00"


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _int(value: Any) -> int | None:
    return None if value is None else int(round(float(value)))


def _bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _text(value: Any) -> str:
    return value or ""


def _count(value: Any) -> int:
    return int(value or 0)


def _as_is(value: Any) -> Any:
    return value


#: How a mart value becomes a report field, by the field's declared type. DuckDB hands numbers
#: back as DECIMAL, HUGEINT or DOUBLE depending on the aggregate; None stays None (printed as
#: an em dash, never as zero) except in plain ``str`` and ``int`` fields.
_CONVERTERS: dict[Any, Callable[[Any], Any]] = {
    float | None: _float,
    int | None: _int,
    bool | None: _bool,
    int: _count,
    str: _text,
    str | None: _as_is,
    date: _as_is,
    date | None: _as_is,
}


@cache
def _field_types(cls: type) -> tuple[tuple[str, Any], ...]:
    """(name, declared type) of a report dataclass's fields, in declaration order."""
    hints = get_type_hints(cls)
    return tuple((f.name, hints[f.name]) for f in fields(cls))


def _record(cls: type[T], row: Mapping[str, Any], **given: Any) -> T:
    """``cls`` built from a mart row whose columns carry its field names, each value converted
    by the field's type (:data:`_CONVERTERS`); ``given`` fields are taken as they are.

    A field type without a converter raises ``KeyError``: a new type needs a decision, not a
    silent pass-through.
    """
    return cls(
        **{
            name: given[name] if name in given else _CONVERTERS[kind](row[name])
            for name, kind in _field_types(cls)
        }
    )


def _by_asset(records: Iterable[A], *then: str) -> tuple[A, ...]:
    """Report order: :data:`ASSET_ORDER` first, other assets alphabetically, then by the
    ``then`` fields; records that tie keep their query order (the sort is stable)."""
    return tuple(
        sorted(records, key=lambda r: (_asset_key(r.base_asset), *(getattr(r, f) for f in then)))
    )


def _asset_key(asset: str) -> tuple[int, str]:
    return (ASSET_ORDER.index(asset) if asset in ASSET_ORDER else len(ASSET_ORDER), asset)


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _warehouse_name(conn: duckdb.DuckDBPyConnection) -> str:
    path = _value(
        conn, "select path from duckdb_databases() where database_name = current_database()"
    )
    return str(path) if path else ":memory:"


def warehouse_id(conn: duckdb.DuckDBPyConnection) -> str:
    """How the PDF names the warehouse: the first 12 hex digits of the SHA-256 of the DuckDB
    file (a reader can check which build a note came from without learning a local path);
    ``in-memory warehouse`` for ``:memory:``."""
    import hashlib

    path = _value(
        conn, "select path from duckdb_databases() where database_name = current_database()"
    )
    if not path or not Path(str(path)).is_file():
        return "in-memory warehouse"
    with open(path, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    return f"warehouse sha256:{digest[:12]}"


# -- readers, one per mart ---------------------------------------------------------------------
# Each reader names its columns after the fields of the report row it fills.


def _fragility(conn: duckdb.DuckDBPyConnection, start: date, end: date) -> list[Row]:
    component_cols = ",\n            ".join(
        f"{c.name}_value, {c.name}_score, {c.name}_weight, {c.name}_contribution"
        for c in FRAGILITY_COMPONENTS
    )
    return _rows(
        conn,
        f"""
        select
            iso_week, week_start, week_end, base_asset, fragility_index, buildup_index,
            stress_index, regime, is_warming_up, components_present, components_total,
            rank_history_weeks, min_history_weeks, lookback_weeks,
            {component_cols},
            is_unwind_condition, unwind_reason, funding_apr_7d, carry_apr, oi_change_7d_pct,
            complete_days_in_week, is_complete_week
        from {SCHEMA}.fct_fragility_weekly
        where week_end between ? and ?
        order by base_asset, week_end
    """,
        [start, end],
    )


def _fragility_daily(conn: duckdb.DuckDBPyConnection, start: date, end: date) -> list[Row]:
    return _rows(
        conn,
        f"""
        select date, base_asset, fragility_index, buildup_index, stress_index, regime
        from {SCHEMA}.fct_fragility_daily
        where date between ? and ?
        order by base_asset, date
    """,
        [start, end],
    )


def _funding_latest(conn: duckdb.DuckDBPyConnection, start: date, end: date) -> list[Row]:
    return _rows(
        conn,
        f"""
        select
            venue, base_asset, date as latest_date, realised_apr as realised_apr_1d,
            realised_apr_7d, realised_apr_30d, days_covered_7d, oi_usd
        from {SCHEMA}.fct_funding_daily
        where date between ? and ?
        qualify row_number() over (partition by venue, base_asset order by date desc) = 1
    """,
        [start, end],
    )


def _funding_week(conn: duckdb.DuckDBPyConnection, start: date, end: date) -> list[Row]:
    """The week's settlements per venue and asset: shares pooled over all settlements, excess
    carry per symbol (sum of excess_rate x 365 / 7) averaged over symbols like the daily mart."""
    return _rows(
        conn,
        f"""
        with

        settled as (
            select venue, base_asset, symbol, excess_rate, is_at_baseline, is_negative, is_at_cap
            from {SCHEMA}.fct_funding_rates
            where funding_ts >= ?::timestamptz and funding_ts < ?::timestamptz
        ),

        per_symbol as (
            select venue, base_asset, symbol, sum(excess_rate) * 365 / 7 as excess_apr_7d
            from settled
            group by venue, base_asset, symbol
        ),

        shares as (
            select
                venue,
                base_asset,
                count(*) as settlements,
                avg(case when is_at_baseline then 1.0 else 0.0 end) as share_at_baseline,
                avg(case when is_negative then 1.0 else 0.0 end) as share_negative,
                avg(case when is_at_cap then 1.0 else 0.0 end) as share_at_cap
            from settled
            group by venue, base_asset
        ),

        excess as (
            select venue, base_asset, avg(excess_apr_7d) as excess_apr_7d
            from per_symbol
            group by venue, base_asset
        )

        select shares.*, excess.excess_apr_7d
        from shares
        left join excess using (venue, base_asset)
    """,
        [_ts(start), _ts(end + timedelta(days=1))],
    )


def _funding_history(conn: duckdb.DuckDBPyConnection, start: date, end: date) -> list[Row]:
    # oi_weighted_apr(_7d) is the same on every venue row of a date and asset: take one.
    return _rows(
        conn,
        f"""
        select
            date as day, base_asset,
            max(oi_weighted_apr) as apr_1d,
            max(oi_weighted_apr_7d) as apr_7d
        from {SCHEMA}.fct_funding_daily
        where date between ? and ?
        group by date, base_asset
        order by base_asset, date
    """,
        [start, end],
    )


def _perp_premium(
    conn: duckdb.DuckDBPyConnection, start: date, end: date
) -> tuple[PerpPremiumRow, ...]:
    rows = _rows(
        conn,
        f"""
        select
            base_asset, venue, symbol,
            avg(premium_or_basis) as mean_premium,
            min(premium_or_basis) as min_premium,
            sum(discount_hours) as discount_hours,
            sum(hours_observed) as hours_observed
        from {SCHEMA}.fct_basis
        where kind = 'perp' and date between ? and ?
        group by base_asset, venue, symbol
        order by base_asset, venue, symbol
    """,
        [start, end],
    )
    return _by_asset((_record(PerpPremiumRow, r) for r in rows), "venue", "symbol")


def _dated(conn: duckdb.DuckDBPyConnection, start: date, end: date) -> tuple[DatedContractRow, ...]:
    rows = _rows(
        conn,
        f"""
        with latest as (
            select base_asset, max(date) as last_date
            from {SCHEMA}.fct_basis
            where kind <> 'perp' and date between ? and ?
            group by base_asset
        )
        select
            b.base_asset, b.venue, b.symbol, b.kind, b.date as observed_on, b.expiry_date,
            b.days_to_expiry, b.premium_or_basis as basis, b.annualized_basis
        from {SCHEMA}.fct_basis as b
        inner join latest
            on b.base_asset = latest.base_asset and b.date = latest.last_date
        where b.kind <> 'perp'
        order by b.base_asset, b.kind desc, b.venue, b.days_to_expiry, b.symbol
    """,
        [start, end],
    )
    return _by_asset(_record(DatedContractRow, r) for r in rows)


def _latest_per_asset(
    conn: duckdb.DuckDBPyConnection,
    cls: type[A],
    table: str,
    start: date,
    end: date,
    **columns: str,
) -> tuple[A, ...]:
    """The last row in the week of a (date, base_asset)-keyed mart, per asset, as ``cls``.

    The columns read are the fields of ``cls`` (``observed_on`` is the mart's ``date``;
    ``columns`` names the mart column of a field named differently), so the report row and its
    query cannot drift apart.
    """
    selected = ", ".join(
        f"{columns[name]} as {name}" if name in columns else name
        for name, _ in _field_types(cls)
        if name not in ("base_asset", "observed_on")
    )
    rows = _rows(
        conn,
        f"""
        select date as observed_on, base_asset, {selected}
        from {SCHEMA}.{table}
        where date between ? and ?
        qualify row_number() over (partition by base_asset order by date desc) = 1
    """,
        [start, end],
    )
    return _by_asset(_record(cls, r) for r in rows)


def _open_interest(
    conn: duckdb.DuckDBPyConnection, start: date, end: date
) -> tuple[OpenInterestRow, ...]:
    rows = _rows(
        conn,
        f"""
        with

        latest as (
            select base_asset, max(date) as last_date
            from {SCHEMA}.fct_open_interest_daily
            where date between ? and ?
            group by base_asset
        ),

        current_oi as (
            select o.date, o.venue, o.base_asset, o.kind, o.oi_usd
            from {SCHEMA}.fct_open_interest_daily as o
            inner join latest
                on o.base_asset = latest.base_asset and o.date = latest.last_date
        )

        select
            current_oi.date as observed_on,
            current_oi.venue,
            current_oi.base_asset,
            current_oi.kind,
            current_oi.oi_usd,
            week_ago.oi_usd as oi_usd_week_ago
        from current_oi
        left join {SCHEMA}.fct_open_interest_daily as week_ago
            on week_ago.base_asset = current_oi.base_asset
            and week_ago.venue = current_oi.venue
            and week_ago.kind = current_oi.kind
            and week_ago.date = current_oi.date - 7
        order by
            current_oi.base_asset,
            case current_oi.kind when 'perp' then 0 when 'dated' then 1 else 2 end,
            current_oi.oi_usd desc nulls last,
            current_oi.venue
    """,
        [start, end],
    )
    return _by_asset(_record(OpenInterestRow, r) for r in rows)


def _etf(conn: duckdb.DuckDBPyConnection, start: date, end: date) -> tuple[EtfWeek, ...]:
    rows = _rows(
        conn,
        f"""
        select
            base_asset,
            cast(date_trunc('week', date) as date) as week_start,
            sum(net_flow_usd_m) as net_flow_usd_m,
            count(net_flow_usd_m) as days_reported,
            sum(tickers_missing) as ticker_days_missing,
            arg_max(cumulative_flow_usd_m, date) as cumulative_flow_usd_m
        from {SCHEMA}.fct_etf_flows_daily
        where date between ? and ?
        group by base_asset, week_start
        order by base_asset, week_start
    """,
        [start, end],
    )
    records = (_record(EtfWeek, r, iso_week=_iso_week(r["week_start"])) for r in rows)
    return _by_asset(records, "week_start")


def _coverage_gaps(
    conn: duckdb.DuckDBPyConnection, start: date, end: date
) -> tuple[CoverageGap, ...] | None:
    """The week's not-complete venue-days, consecutive days of one status folded into one row
    (gaps-and-islands on the date); None when the warehouse has no coverage mart."""
    present = _value(
        conn,
        "select count(*) from information_schema.tables "
        "where table_schema = ? and table_name = 'fct_data_coverage_daily'",
        [SCHEMA],
    )
    if not present:
        return None
    rows = _rows(
        conn,
        f"""
        with gaps as (
            select
                *,
                date - cast(row_number() over (
                    partition by venue, base_asset, dataset, status order by date
                ) as integer) as run
            from {SCHEMA}.fct_data_coverage_daily
            where date between ? and ? and status <> 'ok'
        )
        select
            venue, base_asset, dataset, status,
            min(date) as first_date, max(date) as last_date, count(*) as days,
            sum("rows") as "rows", sum(expected) as expected,
            arg_min(message, date) as message
        from gaps
        group by venue, base_asset, dataset, status, run
        order by venue, base_asset, dataset, first_date
    """,
        [start, end],
    )
    return _by_asset((_record(CoverageGap, r) for r in rows), "venue", "dataset", "first_date")


def _is_synthetic(conn: duckdb.DuckDBPyConnection, start: date, end: date) -> bool:
    simulated = _value(
        conn,
        f"""
        select exists (
            select 1 from {SCHEMA}.fct_funding_rates
            where source = 'simulated'
                and funding_ts >= ?::timestamptz and funding_ts < ?::timestamptz
        )
    """,
        [_ts(start), _ts(end + timedelta(days=1))],
    )
    return bool(simulated)


# -- assembling --------------------------------------------------------------------------------


def _asset_summary(
    current: Row, previous: Row | None, previous_week: str, daily: list[Row]
) -> AssetSummary:
    components = build_components(current)
    index = _float(current["fragility_index"])
    prev_index = _float(previous["fragility_index"]) if previous else None
    return _record(
        AssetSummary,
        current,
        previous_index=prev_index,
        previous_iso_week=previous_week,
        index_change=(
            round(index - prev_index, 1) if index is not None and prev_index is not None else None
        ),
        previous_regime=previous["regime"] if previous else None,
        components=components,
        top_contributors=rank_contributors(components),
        daily=tuple(_record(DailyIndexPoint, r) for r in daily),
    )


def _funding_rows(latest: list[Row], week: list[Row]) -> tuple[FundingRow, ...]:
    """One row per venue and asset in either query: the daily mart's latest day and the week's
    settlements, the fields of a side without a row left None."""
    empty = dict.fromkeys(name for name, _ in _field_types(FundingRow))
    merged: dict[tuple[str, str], Row] = {}
    for r in (*latest, *week):
        merged.setdefault((r["venue"], r["base_asset"]), dict(empty)).update(r)
    return _by_asset((_record(FundingRow, r) for r in merged.values()), "venue")


def _histories(
    rows: list[Row], point: type[T], history: Callable[[str, tuple[T, ...]], A]
) -> tuple[A, ...]:
    """Per asset in report order, its points in query order."""
    assets = sorted({r["base_asset"] for r in rows}, key=_asset_key)
    return tuple(
        history(a, tuple(_record(point, r) for r in rows if r["base_asset"] == a)) for a in assets
    )


def build_report_context(conn: duckdb.DuckDBPyConnection, iso_week: str) -> ReportContext:
    """Everything the PDF for ``iso_week`` shows, read from the marts through ``conn``.

    Raises:
        ValueError: ``iso_week`` is not ``YYYY-Www``.
        ReportDataMissingError: neither the fragility index nor any funding exists for the week.
    """
    week_start, week_end = week_bounds(iso_week)
    previous_week = _iso_week(week_start - timedelta(days=7))
    history_start = week_end - timedelta(days=FUNDING_HISTORY_DAYS - 1)

    fragility = _fragility(conn, week_end - timedelta(weeks=INDEX_HISTORY_WEEKS - 1), week_end)
    current = {r["base_asset"]: r for r in fragility if r["iso_week"] == iso_week}
    fragility_daily = _fragility_daily(conn, week_start, week_end)
    previous = {r["base_asset"]: r for r in fragility if r["iso_week"] == previous_week}
    funding_latest = _funding_latest(conn, week_start, week_end)
    if not current and not funding_latest:
        raise ReportDataMissingError(
            f"no data for {iso_week} ({week_start}..{week_end}) in {_warehouse_name(conn)}: "
            "fct_fragility_weekly and fct_funding_daily have no rows for that week"
        )

    assets = sorted(set(current) | {r["base_asset"] for r in funding_latest}, key=_asset_key)
    context = ReportContext(
        iso_week=iso_week,
        week_start=week_start,
        week_end=week_end,
        generated_from=_warehouse_name(conn),
        is_synthetic=_is_synthetic(conn, history_start, week_end),
        assets=tuple(
            _asset_summary(
                current[a],
                previous.get(a),
                previous_week,
                [r for r in fragility_daily if r["base_asset"] == a],
            )
            for a in assets
            if a in current
        ),
        funding=_funding_rows(funding_latest, _funding_week(conn, week_start, week_end)),
        perp_premium=_perp_premium(conn, week_start, week_end),
        dated_basis=_dated(conn, week_start, week_end),
        basis_term=_latest_per_asset(
            conn,
            BasisTermRow,
            "fct_basis_term_daily",
            week_start,
            week_end,
            cm30_apr="basis_cm30_apr",
            cm90_apr="basis_cm90_apr",
        ),
        carry=_latest_per_asset(conn, CarryRow, "fct_carry_daily", week_start, week_end),
        open_interest=_open_interest(conn, week_start, week_end),
        arbitrage=_latest_per_asset(
            conn, ArbitrageBand, "fct_arbitrage_share", week_start, week_end
        ),
        market=_latest_per_asset(conn, MarketRow, "fct_market_daily", week_start, week_end),
        etf_flows=_etf(conn, week_start - timedelta(weeks=ETF_HISTORY_WEEKS - 1), week_end),
        funding_history=_histories(
            _funding_history(conn, history_start, week_end), FundingPoint, FundingHistory
        ),
        fragility_history=_histories(fragility, IndexPoint, IndexHistory),
        notes=(),
        coverage_gaps=_coverage_gaps(conn, week_start, week_end),
        liquidations=read_liquidation_section(conn, week_start, week_end),
        track_record=track_record.track_record(conn, week_end),
        track_record_rules=track_record.rules(),
        history=read_history(conn, week_end),
        warehouse_id=warehouse_id(conn),
    )
    notes = quality_notes(context, expected_assets=tuple(assets), history_start=history_start)
    return replace(context, notes=notes)


# -- data quality ------------------------------------------------------------------------------


def quality_notes(
    ctx: ReportContext, expected_assets: tuple[str, ...], history_start: date
) -> tuple[DataQualityNote, ...]:
    """What the reader must know about this week's inputs: simulated data, late or partial
    funding, missing marts, extrapolated basis, partial indices, incomplete (unscored) weeks,
    stale CFTC, missing ETF days."""
    notes: list[DataQualityNote] = []

    def warn(text: str) -> None:
        notes.append(DataQualityNote("warning", text))

    def info(text: str) -> None:
        notes.append(DataQualityNote("info", text))

    if ctx.is_synthetic:
        warn(
            f"Funding settlements between {history_start} and {ctx.week_end} come from the "
            "offline market simulator (marked as simulated in the warehouse): no number here "
            "is a real price."
        )

    for asset in expected_assets:
        summary = ctx.asset(asset)
        if summary is None:
            warn(f"{asset}: no fragility index for {ctx.iso_week} in the weekly index mart.")
            continue
        if summary.is_complete_week is False:
            warn(
                f"{asset}: {ctx.iso_week} has complete funding on "
                f"{summary.complete_days_in_week or 0} of 7 days, so it is not scored (no "
                "index, regime 'incomplete week'); read the last complete week's report."
            )
        if summary.previous_index is None:
            info(
                f"{asset}: no index for {summary.previous_iso_week}; the week-on-week change "
                "is not computed."
            )
        if summary.is_warming_up:
            warn(
                f"{asset}: warming up: the components have {summary.rank_history_weeks or 0} "
                f"complete weeks of history, a score needs {summary.min_history_weeks}; no "
                "index is published until then (a rank against a short history would "
                "overstate how unusual the week is)."
            )
        missing = [
            c.label.lower() for c in summary.components if c.value is None
        ]
        if summary.fragility_index is not None and missing:
            info(
                f"{asset}: index from {summary.components_present} of "
                f"{summary.components_total} components; unknown (no input data): "
                f"{', '.join(missing)}. The others are re-weighted within their side."
            )
        for label, rows in (
            ("daily funding", [r for r in ctx.funding if r.base_asset == asset]),
            ("carry", [r for r in ctx.carry if r.base_asset == asset]),
            ("arbitrage-share", [r for r in ctx.arbitrage if r.base_asset == asset]),
            ("market", [r for r in ctx.market if r.base_asset == asset]),
            ("open-interest", [r for r in ctx.open_interest if r.base_asset == asset]),
            ("perp premium", [r for r in ctx.perp_premium if r.base_asset == asset]),
        ):
            if not rows:
                warn(f"{asset}: no {label} rows in {ctx.iso_week}.")

    for r in ctx.funding:
        if r.latest_date is not None and r.latest_date < ctx.week_end:
            warn(
                f"{r.venue} {r.base_asset}: latest funding day {r.latest_date}, not the "
                f"week's Sunday {ctx.week_end}."
            )
        if r.days_covered_7d is not None and r.days_covered_7d < 7:
            warn(
                f"{r.venue} {r.base_asset}: 7-day realised funding covers "
                f"{r.days_covered_7d} of 7 days."
            )
    for r in ctx.perp_premium:
        if r.hours_observed is not None and r.hours_observed < HOURS_PER_WEEK:
            info(
                f"{r.venue} {r.base_asset}: perp premium observed {r.hours_observed} of "
                f"{HOURS_PER_WEEK} hours."
            )
    for t in ctx.basis_term:
        flat = [d for d, e in (("30", t.is_cm30_extrapolated), ("90", t.is_cm90_extrapolated)) if e]
        if flat:
            info(
                f"{t.base_asset}: {' and '.join(flat)}-day constant-maturity basis "
                f"extrapolated flat from the nearest contract ({t.contracts_used or 0} "
                "contracts)."
            )
    for c in ctx.carry:
        if c.observed_on < ctx.week_end:
            warn(f"{c.base_asset}: carry as of {c.observed_on}, not {ctx.week_end}.")
    for b in ctx.arbitrage:
        if b.cftc_report_date is None:
            warn(f"{b.base_asset}: no CFTC report yet, so no arbitrage-share band.")
        elif (ctx.week_end - b.cftc_report_date).days > CFTC_STALE_DAYS:
            warn(
                f"{b.base_asset}: CFTC positions as of {b.cftc_report_date}, "
                f"{(ctx.week_end - b.cftc_report_date).days} days before week end "
                "(late or missing reports)."
            )
    if ctx.coverage_gaps is None:
        warn("No fct_data_coverage_daily in the warehouse: which venue-days are missing is "
             "unknown (rebuild the warehouse).")
    elif ctx.coverage_gaps:
        venue_days = sum(g.days for g in ctx.coverage_gaps)
        venues = sorted({g.venue for g in ctx.coverage_gaps})
        warn(
            f"{venue_days} venue-day(s) of configured data are not complete in {ctx.iso_week} "
            f"({', '.join(venues)}): cross-venue sums and means cover the venues that "
            "reported. The list follows."
        )
    for asset in expected_assets:
        week = ctx.etf_week(asset)
        if week is None:
            info(f"{asset}: no ETF flow rows for {ctx.iso_week}.")
        elif week.ticker_days_missing:
            info(
                f"{asset}: {week.ticker_days_missing} ETF ticker-days not yet reported in "
                f"{ctx.iso_week}; the weekly net flow covers the reported ones only."
            )
    return tuple(notes)
