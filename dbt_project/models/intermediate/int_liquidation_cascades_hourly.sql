{#- The cascade rule per UTC hour and base asset: the hour's long liquidation notional (summed
    over venues with a row that hour) against the hours of the previous
    var('liquidation_cascade_window_hours') (168) hours, day-level OI change as the "OI falls"
    leg (OI is an end-of-day snapshot; the hour's day is used).
      x_h = ln(1 + long notional of hour h); z_h = (x_h - mean) / sd over the trailing hours
      (hour h excluded), when at least var('liquidation_cascade_min_hours') (72) are known;
      is_cascade = z_h >= var('liquidation_cascade_z_hourly') (4.0), the hour at least
      var('liquidation_cascade_min_multiple') (3) times the trailing geometric mean, and the
      day's perp OI fell.
    Only hours with rows appear (fct_liquidations_hourly); unknown inputs give null.
    Incremental: a build rewrites the hours from its window start on, reading the hourly rows
    of the trailing window's length (var('liquidation_cascade_window_hours'), rounded up to
    days) before it, so every rewritten hour sees the same trailing hours as a full build. -#}
{{ config(materialized='incremental', unique_key=['hour_at', 'base_asset']) }}
{%- set window_start = incremental_window_start('hour_at') %}
{%- set context_days = (var('liquidation_cascade_window_hours', 168) / 24) | round(0, 'ceil') | int %}
{%- set window_s = var('liquidation_cascade_window_hours', 168) * 3600 %}
{%- set min_hours = var('liquidation_cascade_min_hours', 72) %}
{%- set threshold = var('liquidation_cascade_z_hourly', 4.0) %}
{%- set min_multiple = var('liquidation_cascade_min_multiple', 3.0) %}
with

hourly as (

    select * from {{ ref('int_liquidations_hourly') }}
    {{ rows_from('hour_at', window_start, context_days=context_days) }}

),

days as (

    select date, base_asset, oi_change_pct from {{ ref('int_liquidation_cascades_daily') }}
    {{ rows_from('date', window_start) }}

),

asset_hours as (

    select
        hour_at,
        date,
        base_asset,
        sum(notional_usd) filter (where side = 'long') as long_notional_usd,
        sum(notional_usd) filter (where side = 'short') as short_notional_usd
    from hourly
    group by hour_at, date, base_asset

),

scored as (

    select
        *,
        ln(1 + long_notional_usd) as log_long,
        avg(ln(1 + long_notional_usd)) over trailing_window as trailing_mean,
        stddev_samp(ln(1 + long_notional_usd)) over trailing_window as trailing_sd,
        count(long_notional_usd) over trailing_window as trailing_hours
    from asset_hours
    window trailing_window as (
        partition by base_asset order by epoch(hour_at)
        range between {{ window_s }} preceding and 1 preceding
    )

),

final as (

    select
        scored.hour_at,
        scored.date,
        scored.base_asset,
        scored.long_notional_usd,
        scored.short_notional_usd,
        cast(scored.trailing_hours as integer) as trailing_hours,
        {{ round_metric(
            'case when scored.trailing_hours >= ' ~ min_hours ~ ' and scored.trailing_sd > 0 '
            ~ 'then (scored.log_long - scored.trailing_mean) / scored.trailing_sd end', 6) }}
            as z_score,
        days.oi_change_pct,
        case
            when scored.trailing_hours < {{ min_hours }} or not scored.trailing_sd > 0
                or days.oi_change_pct is null then null
            else (scored.log_long - scored.trailing_mean) / scored.trailing_sd >= {{ threshold }}
                and scored.log_long - scored.trailing_mean >= ln({{ min_multiple }})
                and days.oi_change_pct < 0
        end as is_cascade
    from scored
    left join days
        on scored.date = days.date
        and scored.base_asset = days.base_asset
    {{ rows_from('scored.hour_at', window_start) }}

)

select * from final
