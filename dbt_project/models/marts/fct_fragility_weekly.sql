{#- Fragility index per ISO week and base asset: 100 * the weighted mean of the component
    scores, weights re-normalised over the components that have a score that week, rounded to
    one decimal; and the regime label. An incomplete week (fewer than 7 complete funding days)
    keeps its row and raw values but gets no scores, no index and the regime 'incomplete week'.
    Otherwise: 'unwinding' when the week-end unwind condition holds and OI fell at least 10 %
    over 7 days; else 'unwind risk' when the unwind condition holds or the index >= 70; else
    'crowded carry' when the index >= 50; else 'calm'. -#}
{%- set components = var('fragility_weights').keys() | list %}
with

scores as (

    select * from {{ ref('int_fragility_scores_weekly') }}

),

components as (

    select * from {{ ref('int_fragility_components_weekly') }}

),

weights as (

    {{ fragility_weights_values() }}

),

weighted as (

    select
        scores.iso_week,
        scores.base_asset,
        sum(weights.weight * scores.score) filter (where scores.score is not null) as weighted_score,
        sum(weights.weight) filter (where scores.score is not null) as weight_used,
        count(scores.score) as components_used,
        max(scores.history_weeks) as history_weeks,
        {%- for component in components %}
        max(scores.score) filter (where scores.component = '{{ component }}') as {{ component }}_score{{ "," if not loop.last }}
        {%- endfor %}
    from scores
    inner join weights
        on scores.component = weights.component
    group by scores.iso_week, scores.base_asset

),

indexed as (

    select
        components.*,
        weighted.components_used,
        weighted.history_weeks,
        {%- for component in components %}
        weighted.{{ component }}_score,
        {%- endfor %}
        case
            when components.is_complete_week
                then round(100.0 * weighted.weighted_score / nullif(weighted.weight_used, 0), 1)
        end as fragility_index
    from components
    left join weighted
        on components.iso_week = weighted.iso_week
        and components.base_asset = weighted.base_asset

),

final as (

    select
        iso_week,
        week_start,
        week_end,
        base_asset,
        fragility_index,
        {#- Placeholders until the build-up/stress redesign (issue 15 item 1) fills them: unknown,
            never a copy of the composite. -#}
        cast(null as double) as buildup_index,
        cast(null as double) as stress_index,
        case
            when not is_complete_week
                then 'incomplete week'
            when is_unwind_condition
                and oi_change_7d_pct <= {{ var('regime_unwinding_oi_change_7d') }}
                then 'unwinding'
            when is_unwind_condition
                or fragility_index >= {{ var('regime_unwind_risk_index') }}
                then 'unwind risk'
            when fragility_index >= {{ var('regime_crowded_carry_index') }}
                then 'crowded carry'
            else 'calm'
        end as regime,
        cast(coalesce(components_used, 0) as integer) as components_used,
        cast(coalesce(history_weeks, 0) as integer) as history_weeks,
        {%- for component in components %}
        {{ component }}_value,
        {{ component }}_score,
        {%- endfor %}
        is_unwind_condition,
        unwind_reason,
        funding_apr_7d,
        carry_apr,
        oi_change_7d_pct,
        days_in_week,
        complete_days_in_week,
        is_complete_week
    from indexed

)

select * from final
