{#- The week's raw value of each fragility component per ISO week and base asset: the value of
    int_fragility_signals_daily on the last day of the ISO week (Mon..Sun) that has one (the
    daily values are trailing 7-day values, so on Sunday they cover the ISO week). Also the
    week-end regime inputs (the last day's, unknown included: arg_max_null, since arg_max skips
    nulls) and the week's completeness: complete when all 7 of its days are
    (int_fragility_signals_daily.is_complete_day). Incomplete weeks (the first and last weeks of
    a history, an outage) are not scored downstream. -#}
{%- set components = fragility_components() %}
with

signals as (

    select * from {{ ref('int_fragility_signals_daily') }}

),

weekly as (

    select
        week_start,
        base_asset,
        {%- for component in components %}
        arg_max({{ component }}_value, date) filter (where {{ component }}_value is not null)
            as {{ component }}_value,
        {%- endfor %}
        max(date) as as_of_date,
        arg_max_null(is_unwind_condition, date) as is_unwind_condition,
        arg_max_null(unwind_reason, date) as unwind_reason,
        arg_max_null(funding_apr_7d, date) as funding_apr_7d,
        arg_max_null(carry_apr, date) as carry_apr,
        arg_max_null(excess_funding_apr_7d, date) as excess_funding_apr_7d,
        arg_max_null(premium_7d, date) as premium_7d,
        arg_max_null(oi_change_7d_pct, date) as oi_change_7d_pct,
        arg_max_null(price_change_7d_pct, date) as price_change_7d_pct,
        count(*) filter (where is_complete_day is not null) as days_in_week,
        count(*) filter (where is_complete_day) as complete_days_in_week
    from signals
    group by week_start, base_asset

),

final as (

    select
        {{ iso_week_label('week_start') }} as iso_week,
        week_start,
        cast(week_start + 6 as date) as week_end,
        base_asset,
        {%- for component in components %}
        {{ component }}_value,
        {%- endfor %}
        as_of_date,
        is_unwind_condition,
        unwind_reason,
        funding_apr_7d,
        carry_apr,
        excess_funding_apr_7d,
        premium_7d,
        oi_change_7d_pct,
        price_change_7d_pct,
        cast(days_in_week as integer) as days_in_week,
        cast(complete_days_in_week as integer) as complete_days_in_week,
        complete_days_in_week = 7 as is_complete_week
    from weekly

)

select * from final
