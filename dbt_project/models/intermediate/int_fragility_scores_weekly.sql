{#- Each component's score per ISO week and base asset: its mid-rank among the same asset's and
    component's values of complete weeks over the trailing fragility_lookback_weeks weeks
    including the current one, (count(v < x) + 0.5 * count(v = x)) / n, in 0..1 with 1 = most
    fragile on its side. A component floored at 0 (its side holds only the positive part, e.g.
    carry below hurdle) scores 0 at exactly 0: "none of it" is the bottom, not a tie at the
    middle. history_weeks = complete weeks with a value so far (current included); the score is
    published only once history_weeks >= fragility_min_history_weeks (52), before that the
    component is warming up (null score). Null also when the value is null (unknown) or the
    week is incomplete (its value is built from missing data: neither scored nor history).
    Long format: one row per week, asset and component. -#}
{%- set components = fragility_components() %}
{%- set floored = ['excess_funding', 'premium', 'carry_over_hurdle', 'carry_compression',
                   'carry_below_hurdle', 'negative_funding', 'perp_discount', 'oi_falling',
                   'liquidations'] %}
with

components as (

    select * from {{ ref('int_fragility_components_weekly') }}

),

weights as (

    {{ fragility_weights_values() }}

),

long as (

    {%- for component in components %}
    select
        iso_week,
        week_start,
        base_asset,
        '{{ component }}' as component,
        {{ "true" if component in floored else "false" }} as is_floored,
        case when is_complete_week then {{ component }}_value end as value,
        {{ component }}_value as raw_value,
        is_complete_week
    from components
    {{ "union all" if not loop.last }}
    {%- endfor %}

),

with_history as (

    select
        *,
        count(value) over (
            partition by base_asset, component
            order by week_start
            rows between unbounded preceding and current row
        ) as history_weeks
    from long

),

ranked as (

    select
        current_week.iso_week,
        current_week.week_start,
        current_week.base_asset,
        current_week.component,
        current_week.is_floored,
        current_week.raw_value,
        current_week.value,
        current_week.is_complete_week,
        current_week.history_weeks,
        count(history.value) as window_weeks,
        count(*) filter (where history.value < current_week.value) as weeks_below,
        count(*) filter (where history.value = current_week.value) as weeks_equal
    from with_history as current_week
    left join with_history as history
        on current_week.base_asset = history.base_asset
        and current_week.component = history.component
        and history.week_start between
            current_week.week_start - {{ (var('fragility_lookback_weeks') - 1) * 7 }}
            and current_week.week_start
        and history.value is not null
        and current_week.value is not null
    group by all

),

final as (

    select
        ranked.iso_week,
        ranked.week_start,
        ranked.base_asset,
        ranked.component,
        weights.side,
        ranked.raw_value as value,
        ranked.is_complete_week,
        cast(ranked.history_weeks as integer) as history_weeks,
        cast(ranked.window_weeks as integer) as window_weeks,
        case
            when ranked.value is null
                or ranked.history_weeks < greatest({{ var('fragility_min_history_weeks') }}, 1)
                then null
            when ranked.is_floored and ranked.value = 0
                then 0.0
            else {{ round_metric('(ranked.weeks_below + 0.5 * ranked.weeks_equal) / ranked.window_weeks') }}
        end as score
    from ranked
    inner join weights
        on ranked.component = weights.component

)

select * from final
