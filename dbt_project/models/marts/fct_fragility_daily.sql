{#- Fragility index per UTC day and base asset, so the report can show the path within a week:
    the same components, composite and regime rules as fct_fragility_weekly
    (macros/fragility.sql), each day's trailing 7-day values ranked against the complete weeks
    before its ISO week plus itself (int_fragility_scores_daily); on the last day of a complete
    week the numbers equal the week's. A day without complete funding on every venue of its
    week is 'incomplete day' and unscored; 'reset' looks back regime_reset_weeks * 7 days. -#}
{%- set components = fragility_components() %}
with

signals as (

    select * from {{ ref('int_fragility_signals_daily') }}

),

composite as (

    {{ fragility_composite(ref('int_fragility_scores_daily'), 'date') }}

),

joined as (

    select
        signals.date,
        signals.iso_week,
        signals.base_asset,
        case when signals.is_complete_day then composite.fragility_index end as fragility_index,
        case when signals.is_complete_day then composite.buildup_index end as buildup_index,
        case when signals.is_complete_day then composite.stress_index end as stress_index,
        composite.components_present,
        composite.components_with_value,
        composite.rank_history_weeks,
        {%- for component in components %}
        signals.{{ component }}_value,
        composite.{{ component }}_score,
        composite.{{ component }}_weight,
        composite.{{ component }}_contribution,
        {%- endfor %}
        signals.is_unwind_condition,
        signals.unwind_reason,
        signals.funding_apr_7d,
        signals.carry_apr,
        signals.excess_funding_apr_7d,
        signals.premium_7d,
        signals.oi_change_7d_pct,
        signals.price_change_7d_pct,
        coalesce(signals.is_complete_day, false) as is_complete_day
    from signals
    inner join composite
        on signals.date = composite.date
        and signals.base_asset = composite.base_asset

),

regimes as (

    select
        *,
        {{ fragility_base_regime('is_complete_day') }} as base_regime
    from joined

),

final as (

    select
        date,
        iso_week,
        base_asset,
        fragility_index,
        buildup_index,
        stress_index,
        {{ fragility_regime('base_regime', 'date', 'incomplete day') }} as regime,
        base_regime = 'warming up' as is_warming_up,
        components_present,
        {{ components | length }} as components_total,
        components_with_value,
        rank_history_weeks,
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
        is_complete_day
    from regimes

)

select * from final
