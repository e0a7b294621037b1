{#- Fragility index per ISO week and base asset (docs/methodology.md, "Fragility index").
    buildup_index and stress_index: 100 * the weighted mean of their side's component scores
    (weights re-normalised over the components scored that week); fragility_index: the side
    weights applied to the two (null unless both sides are scored). Every component carries its
    raw value, score, effective weight and contribution (index points; they sum to the index),
    so the report only renders them. Regimes (macros/fragility.sql): 'incomplete week' (fewer
    than 7 complete funding days: no scores), 'warming up' (no score yet: a component needs
    fragility_min_history_weeks complete weeks of history), 'insufficient data', else
    'unwinding' > 'reset' > 'unwind risk' > 'crowded carry' > 'calm'. -#}
{%- set components = fragility_components() %}
with

components as (

    select * from {{ ref('int_fragility_components_weekly') }}

),

composite as (

    {{ fragility_composite(ref('int_fragility_scores_weekly'), 'iso_week') }}

),

joined as (

    select
        components.iso_week,
        components.week_start,
        components.week_end,
        components.base_asset,
        case when components.is_complete_week then composite.fragility_index end as fragility_index,
        case when components.is_complete_week then composite.buildup_index end as buildup_index,
        case when components.is_complete_week then composite.stress_index end as stress_index,
        composite.components_present,
        composite.components_with_value,
        composite.rank_history_weeks,
        {%- for component in components %}
        components.{{ component }}_value,
        composite.{{ component }}_score,
        composite.{{ component }}_weight,
        composite.{{ component }}_contribution,
        {%- endfor %}
        components.is_unwind_condition,
        components.unwind_reason,
        components.funding_apr_7d,
        components.carry_apr,
        components.excess_funding_apr_7d,
        components.premium_7d,
        components.oi_change_7d_pct,
        components.price_change_7d_pct,
        components.days_in_week,
        components.complete_days_in_week,
        components.is_complete_week
    from components
    inner join composite
        on components.iso_week = composite.iso_week
        and components.base_asset = composite.base_asset

),

regimes as (

    select
        *,
        {{ fragility_base_regime('is_complete_week') }} as base_regime
    from joined

),

final as (

    select
        iso_week,
        week_start,
        week_end,
        base_asset,
        fragility_index,
        buildup_index,
        stress_index,
        {{ fragility_regime('base_regime', 'week_start', 'incomplete week') }} as regime,
        base_regime = 'warming up' as is_warming_up,
        components_present,
        {{ components | length }} as components_total,
        components_with_value,
        rank_history_weeks,
        {{ var('fragility_min_history_weeks') }} as min_history_weeks,
        {{ var('fragility_lookback_weeks') }} as lookback_weeks,
        {%- for component in components %}
        {{ component }}_value,
        {{ component }}_score,
        {{ component }}_weight,
        {{ component }}_contribution,
        {%- endfor %}
        is_unwind_condition,
        unwind_reason,
        funding_apr_7d,
        carry_apr,
        excess_funding_apr_7d,
        premium_7d,
        oi_change_7d_pct,
        price_change_7d_pct,
        days_in_week,
        complete_days_in_week,
        is_complete_week
    from regimes

)

select * from final
