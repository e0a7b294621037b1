{#- Funding per UTC day, venue and base asset: the day's rate sum (symbols of one venue+asset
    averaged), settlement shares, completeness, and realised carry over 1, 7 and 30 days,
    annualised over the hours the settlements pay for: sum(rate) * 8760 / sum(interval_hours)
    (= sum(rate) * 365 / days when every day holds 24 h of intervals; on a day whose interval
    switches, its settlements pay for 28 h (8 -> 4), 27 h (4 -> 1) or 17 h (1 -> 8), and
    sum(rate) * 365 would read 12.78 %, 12.32 %, 7.76 % for a constant 10.95 % series).
    A symbol's day is complete when it has at least the settlements a full day holds at its
    interval, floor(24 / interval_hours) (the day's longest interval when it changes within the
    day); a venue's day when every symbol's day is. Realised 7/30-day carry sums complete days
    only: sum(daily rate sums of the complete days in the window) * 365 / complete days (= / 7
    or / 30 with full coverage), null when fewer than min_days_covered_* days are complete. A
    partial day keeps its own realised_apr, flagged by is_complete_day = false.
    Venue-normalised funding: realised_excess_apr_7d is the same 7-day carry of the excess over
    the venue's own baseline (0.01 % / 8 h on Binance, Bybit, Hyperliquid; 0 on OKX, Deribit),
    and share_below_baseline_7d the share of the trailing 7 days' settlements below that
    baseline (by more than at_baseline_tolerance), so venues with different neutral levels
    compare.
    Incremental: a build rewrites the days from its window start on, reading 29 days of
    settlements before it for the trailing 30-day window. -#}
{{ config(materialized='incremental', unique_key='date') }}
{%- set window_start = incremental_window_start('date') %}
with

settlements as (

    select * from {{ ref('int_funding_settlements') }}
    {{ rows_from('funding_date', window_start, context_days=29) }}

),

by_symbol as (

    select
        funding_date,
        venue,
        base_asset,
        symbol,
        sum(rate) as rate_sum,
        sum(interval_hours) as hours_sum,
        count(*) as settlements,
        {{ settlements_per_full_day('max(interval_hours)') }} as settlements_expected,
        count(*) filter (where is_at_baseline) as at_baseline_settlements,
        count(*) filter (where is_negative) as negative_settlements,
        count(*) filter (where is_at_cap) as at_cap_settlements,
        sum(excess_rate) as excess_rate_sum,
        count(*) filter (where excess_rate < -{{ var('at_baseline_tolerance') }})
            as below_baseline_settlements
    from settlements
    group by funding_date, venue, base_asset, symbol

),

by_venue as (

    select
        funding_date,
        venue,
        base_asset,
        count(*) as symbols,
        avg(rate_sum) as rate_sum,
        avg(hours_sum) as hours_sum,
        sum(settlements) as settlements,
        sum(settlements_expected) as settlements_expected,
        bool_and(settlements >= settlements_expected) as is_complete_day,
        sum(at_baseline_settlements) as at_baseline_settlements,
        sum(negative_settlements) as negative_settlements,
        sum(at_cap_settlements) as at_cap_settlements,
        avg(excess_rate_sum) as excess_rate_sum,
        sum(below_baseline_settlements) as below_baseline_settlements
    from by_symbol
    group by funding_date, venue, base_asset

),

rolling as (

    select
        *,
        sum(rate_sum) filter (where is_complete_day) over trailing_7d as rate_sum_7d,
        sum(hours_sum) filter (where is_complete_day) over trailing_7d as hours_7d,
        sum(hours_sum) filter (where is_complete_day) over trailing_30d as hours_30d,
        count(*) filter (where is_complete_day) over trailing_7d as days_covered_7d,
        sum(rate_sum) filter (where is_complete_day) over trailing_30d as rate_sum_30d,
        count(*) filter (where is_complete_day) over trailing_30d as days_covered_30d,
        sum(excess_rate_sum) filter (where is_complete_day) over trailing_7d as excess_rate_sum_7d,
        sum(settlements) over trailing_7d as settlements_7d,
        sum(below_baseline_settlements) over trailing_7d as below_baseline_settlements_7d
    from by_venue
    window
        trailing_7d as (
            partition by venue, base_asset
            order by funding_date
            range between interval 6 days preceding and current row
        ),
        trailing_30d as (
            partition by venue, base_asset
            order by funding_date
            range between interval 29 days preceding and current row
        )

),

final as (

    select
        funding_date as date,
        venue,
        base_asset,
        cast(symbols as integer) as symbols,
        cast(settlements as integer) as settlements,
        cast(negative_settlements as integer) as negative_settlements,
        {{ round_metric('rate_sum') }} as rate_sum,
        {{ round_metric(realised_apr_over_hours('rate_sum', 'hours_sum')) }} as realised_apr,
        case
            when days_covered_7d >= {{ var('min_days_covered_7d') }}
                then {{ round_metric(realised_apr_over_hours('rate_sum_7d', 'hours_7d')) }}
        end as realised_apr_7d,
        case
            when days_covered_30d >= {{ var('min_days_covered_30d') }}
                then {{ round_metric(realised_apr_over_hours('rate_sum_30d', 'hours_30d')) }}
        end as realised_apr_30d,
        case
            when days_covered_7d >= {{ var('min_days_covered_7d') }}
                then {{ round_metric(realised_apr_over_hours('excess_rate_sum_7d', 'hours_7d')) }}
        end as realised_excess_apr_7d,
        {{ round_metric(safe_divide('below_baseline_settlements_7d', 'settlements_7d')) }}
            as share_below_baseline_7d,
        cast(days_covered_7d as integer) as days_covered_7d,
        cast(days_covered_30d as integer) as days_covered_30d,
        {{ round_metric(safe_divide('at_baseline_settlements', 'settlements')) }} as share_at_baseline,
        {{ round_metric(safe_divide('negative_settlements', 'settlements')) }} as share_negative,
        {{ round_metric(safe_divide('at_cap_settlements', 'settlements')) }} as share_at_cap,
        cast(settlements_expected as integer) as settlements_expected,
        is_complete_day
    from rolling

)

select * from final
{{ rows_from('date', window_start) }}
