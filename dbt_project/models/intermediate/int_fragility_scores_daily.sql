{#- Each component's score per UTC day and base asset, so the report can follow the index within
    a week: the day's value ranked, as in int_fragility_scores_weekly, among the complete weekly
    values of the fragility_lookback_weeks - 1 weeks before the day's ISO week plus the day's
    own value. On the last day of a complete week this is the week's set, so the Sunday score
    equals the weekly score. history_weeks = complete weeks with a value before the day's week
    + 1 for the day; published once >= fragility_min_history_weeks, on a day with complete
    funding. Long format: one row per day, asset and component. -#}
{%- set components = fragility_components() %}
{%- set floored = ['excess_funding', 'premium', 'carry_over_hurdle', 'carry_compression',
                   'carry_below_hurdle', 'negative_funding', 'perp_discount', 'oi_falling',
                   'liquidations'] %}
with

signals as (

    select * from {{ ref('int_fragility_signals_daily') }}

),

weekly as (

    select * from {{ ref('int_fragility_scores_weekly') }}

),

weights as (

    {{ fragility_weights_values() }}

),

long as (

    {%- for component in components %}
    select
        date,
        week_start,
        base_asset,
        '{{ component }}' as component,
        {{ "true" if component in floored else "false" }} as is_floored,
        {{ component }}_value as raw_value,
        case when is_complete_day then {{ component }}_value end as value
    from signals
    {{ "union all" if not loop.last }}
    {%- endfor %}

),

history as (

    select
        base_asset,
        component,
        week_start,
        value,
        history_weeks
    from weekly
    where is_complete_week
        and value is not null

),

prior as (

    select
        long.*,
        coalesce(weekly.history_weeks, 0) as prior_weeks
    from long
    asof left join weekly
        on long.base_asset = weekly.base_asset
        and long.component = weekly.component
        and long.week_start > weekly.week_start

),

ranked as (

    select
        day.date,
        day.week_start,
        day.base_asset,
        day.component,
        day.is_floored,
        day.raw_value,
        day.value,
        day.prior_weeks,
        count(history.value) as window_prior,
        count(*) filter (where history.value < day.value) as weeks_below,
        count(*) filter (where history.value = day.value) as weeks_equal
    from prior as day
    left join history
        on day.base_asset = history.base_asset
        and day.component = history.component
        and history.week_start < day.week_start
        and history.week_start >= day.week_start - {{ (var('fragility_lookback_weeks') - 1) * 7 }}
        and day.value is not null
    group by all

),

final as (

    select
        ranked.date,
        ranked.base_asset,
        ranked.component,
        weights.side,
        ranked.raw_value as value,
        cast(case when ranked.value is not null then ranked.prior_weeks + 1 else ranked.prior_weeks end as integer)
            as history_weeks,
        case
            when ranked.value is null
                or ranked.prior_weeks + 1 < greatest({{ var('fragility_min_history_weeks') }}, 1)
                then null
            when ranked.is_floored and ranked.value = 0
                then 0.0
            else {{ round_metric('(ranked.weeks_below + 0.5 * (ranked.weeks_equal + 1)) / (ranked.window_prior + 1)') }}
        end as score
    from ranked
    inner join weights
        on ranked.component = weights.component

)

select * from final
