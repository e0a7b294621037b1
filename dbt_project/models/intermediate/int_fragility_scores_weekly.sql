{#- Each component's score per ISO week and base asset: its mid-rank among the same asset's and
    component's non-null values of complete weeks over the trailing fragility_lookback_weeks
    weeks including the current one, (count(v < x) + 0.5 * count(v = x)) / n, in 0..1 with
    1 = most fragile. Null when the value is null, when the week is incomplete (its value is
    built from missing data: it is neither scored nor part of later weeks' history), or when
    fewer than fragility_min_history_weeks values exist yet (a rank against one or two weeks
    says nothing; it would read 0.5 = "average").
    Long format: one row per week, asset and component. -#}
{%- set components = var('fragility_weights').keys() | list %}
with

components as (

    select * from {{ ref('int_fragility_components_weekly') }}

),

long as (

    {%- for component in components %}
    select
        iso_week,
        week_start,
        base_asset,
        '{{ component }}' as component,
        {{ component }}_value as value,
        is_complete_week
    from components
    {{ "union all" if not loop.last }}
    {%- endfor %}

),

ranked as (

    select
        current_week.iso_week,
        current_week.week_start,
        current_week.base_asset,
        current_week.component,
        current_week.value,
        current_week.is_complete_week,
        count(history.value) as history_weeks,
        count(*) filter (where history.value < current_week.value) as weeks_below,
        count(*) filter (where history.value = current_week.value) as weeks_equal
    from long as current_week
    left join long as history
        on current_week.base_asset = history.base_asset
        and current_week.component = history.component
        and history.week_start between
            current_week.week_start - {{ (var('fragility_lookback_weeks') - 1) * 7 }}
            and current_week.week_start
        and history.value is not null
        and history.is_complete_week
        and current_week.value is not null
        and current_week.is_complete_week
    group by all

),

final as (

    select
        iso_week,
        week_start,
        base_asset,
        component,
        value,
        cast(history_weeks as integer) as history_weeks,
        case
            when value is not null
                and is_complete_week
                and history_weeks >= greatest({{ var('fragility_min_history_weeks') }}, 1)
                then {{ round_metric('(weeks_below + 0.5 * weeks_equal) / history_weeks') }}
        end as score
    from ranked

)

select * from final
