{#- Per settlement: annualised rate, the venue's interest baseline scaled to the interval, the
    excess over it, and the at-baseline / negative / at-cap flags. -#}
{{ config(materialized='incremental', unique_key=['venue', 'symbol', 'funding_ts']) }}
{%- set window_start = incremental_window_start('funding_ts') %}
with

intervals as (

    select * from {{ ref('int_funding_intervals') }}
    {{ rows_from('funding_ts', window_start) }}

),

with_baseline as (

    select
        *,
        {{ baseline_rate('baseline_rate_8h', 'interval_hours') }} as baseline_rate
    from intervals

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
        {{ round_metric(annualise_simple('rate', 'interval_hours')) }} as apr_simple,
        {{ round_metric(annualise_compounded('rate', 'interval_hours')) }} as apy_compounded,
        {{ round_metric('baseline_rate') }} as baseline_rate,
        {{ round_metric('rate - baseline_rate') }} as excess_rate,
        cap_rate,
        abs(rate - baseline_rate) < {{ var('at_baseline_tolerance') }} as is_at_baseline,
        rate < 0 as is_negative,
        coalesce(abs(rate) >= cap_rate - {{ var('at_cap_tolerance') }}, false) as is_at_cap,
        rule_match
    from with_baseline

)

select * from final
