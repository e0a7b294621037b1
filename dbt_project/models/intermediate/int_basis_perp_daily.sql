{#- Perpetual premium per UTC day, venue and symbol: mean over the observed hours, the sum (for
    exact multi-day means downstream), and the hours at a discount (premium < 0).
    Incremental: a build re-aggregates only the days from its window start on (whole days of
    int_premium_hourly, so every rewritten day is complete). -#}
{{ config(materialized='incremental', unique_key='date') }}
{%- set window_start = incremental_window_start('date') %}
with

premium as (

    select * from {{ ref('int_premium_hourly') }}
    {{ rows_from('premium_date', window_start) }}

),

final as (

    select
        premium_date as date,
        venue,
        symbol,
        any_value(base_asset) as base_asset,
        {{ round_metric('avg(premium)') }} as premium_mean,
        {{ round_metric('sum(premium)') }} as premium_sum,
        cast(count(*) filter (where premium < 0) as integer) as discount_hours,
        cast(count(premium) as integer) as hours_observed
    from premium
    where premium is not null
    group by premium_date, venue, symbol

)

select * from final
