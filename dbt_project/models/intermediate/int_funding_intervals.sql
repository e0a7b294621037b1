{#- One row per funding settlement with its interval: the venue's value when reported, else the
    hours since the previous settlement of the same venue+symbol, else (first row, or a gap too
    long to be an interval) the hours to the next settlement, else the seed default.
    funding_date is the UTC date of the timestamp (the day's partition holds it); an interval
    switch is handled where carry is annualised, over the hours the settlements pay for
    (int_funding_daily), not by moving settlements between days. -#}
{{ config(materialized='incremental', unique_key=['venue', 'symbol', 'funding_ts']) }}
{%- set window_start = incremental_window_start('funding_ts') %}
with

funding as (

    select * from {{ ref('stg_funding_rates') }}
    {# one earlier day: the window's first settlement needs its predecessor's timestamp #}
    {{ rows_from('funding_ts', window_start, context_days=1) }}

),

rules as (

    select * from {{ ref('stg_venue_funding_rules') }}

),

rules_by_venue_asset as (

    select
        venue,
        base_asset,
        arg_min(default_interval_hours, symbol) as default_interval_hours,
        arg_min(baseline_rate_8h, symbol) as baseline_rate_8h,
        arg_min(cap_rate, symbol) as cap_rate
    from rules
    group by venue, base_asset

),

rules_by_venue as (

    select
        venue,
        max(default_interval_hours) as default_interval_hours,
        max(baseline_rate_8h) as baseline_rate_8h
    from rules
    group by venue

),

with_rules as (

    select
        funding.*,
        case
            when symbol_rule.venue is not null then 'symbol'
            when asset_rule.venue is not null then 'venue_asset'
            when venue_rule.venue is not null then 'venue'
            else 'none'
        end as rule_match,
        coalesce(
            symbol_rule.default_interval_hours,
            asset_rule.default_interval_hours,
            venue_rule.default_interval_hours,
            8.0
        ) as default_interval_hours,
        coalesce(
            symbol_rule.baseline_rate_8h,
            asset_rule.baseline_rate_8h,
            venue_rule.baseline_rate_8h,
            0.0
        ) as baseline_rate_8h,
        coalesce(symbol_rule.cap_rate, asset_rule.cap_rate) as cap_rate
    from funding
    left join rules as symbol_rule
        on funding.venue = symbol_rule.venue
        and funding.symbol = symbol_rule.symbol
    left join rules_by_venue_asset as asset_rule
        on funding.venue = asset_rule.venue
        and funding.base_asset = asset_rule.base_asset
    left join rules_by_venue as venue_rule
        on funding.venue = venue_rule.venue

),

with_gaps as (

    select
        *,
        round({{ hours_between(
            'lag(funding_ts) over (partition by venue, symbol order by funding_ts)',
            'funding_ts'
        ) }}, 2) as hours_since_previous,
        round({{ hours_between(
            'funding_ts',
            'lead(funding_ts) over (partition by venue, symbol order by funding_ts)'
        ) }}, 2) as hours_to_next
    from with_rules

),

with_intervals as (

    select
        venue,
        symbol,
        base_asset,
        source,
        funding_ts,
        rate,
        reported_interval_hours,
        hours_since_previous,
        hours_to_next,
        case
            when reported_interval_hours > 0
                then reported_interval_hours
            when hours_since_previous > 0
                and hours_since_previous <= {{ var('max_funding_interval_hours') }}
                then hours_since_previous
            when hours_to_next > 0
                and hours_to_next <= {{ var('max_funding_interval_hours') }}
                then hours_to_next
            else default_interval_hours
        end as interval_hours,
        case
            when reported_interval_hours > 0
                then 'reported'
            when hours_since_previous > 0
                and hours_since_previous <= {{ var('max_funding_interval_hours') }}
                then 'previous_gap'
            when hours_to_next > 0
                and hours_to_next <= {{ var('max_funding_interval_hours') }}
                then 'next_gap'
            else 'default'
        end as interval_source,
        rule_match,
        default_interval_hours,
        baseline_rate_8h,
        cap_rate
    from with_gaps
    {{ rows_from('funding_ts', window_start) }}

),

final as (

    select
        venue,
        symbol,
        base_asset,
        source,
        funding_ts,
        {{ utc_date('funding_ts') }} as funding_date,
        rate,
        reported_interval_hours,
        hours_since_previous,
        hours_to_next,
        interval_hours,
        interval_source,
        rule_match,
        default_interval_hours,
        baseline_rate_8h,
        cap_rate
    from with_intervals

)

select * from final
