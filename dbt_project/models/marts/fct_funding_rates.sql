{#- One row per funding settlement (venue, symbol, funding_ts) with its interval, annualised
    rate, the venue's baseline scaled to the interval and the excess over it. -#}
{{ config(materialized='incremental', unique_key=['venue', 'symbol', 'funding_ts']) }}
{%- set window_start = incremental_window_start('funding_ts') %}
with

settlements as (

    select * from {{ ref('int_funding_settlements') }}
    {{ rows_from('funding_ts', window_start) }}

),

final as (

    select
        venue,
        symbol,
        base_asset,
        source,
        funding_ts,
        funding_date,
        rate,
        interval_hours,
        interval_source,
        apr_simple,
        apy_compounded,
        baseline_rate,
        excess_rate,
        cap_rate,
        is_at_baseline,
        is_negative,
        is_at_cap
    from settlements

)

select * from final
