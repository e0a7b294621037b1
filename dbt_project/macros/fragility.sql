{#- The fragility composite and regimes, shared by fct_fragility_weekly and fct_fragility_daily
    so the two grains follow one rule (docs/methodology.md, "Fragility index", "Regimes"). -#}

{#- Side indexes, composite, effective weights and contributions from a long scores relation
    (grain columns, base_asset, component, side, value, history_weeks, score), one wide row per
    grain and asset:
      <side>_index     = 100 * sum(weight * score) / sum(weight) over the side's scored
                         components (null when none is scored);
      fragility_index  = side_weight_buildup * buildup_index + side_weight_stress * stress_index,
                         null unless both sides have a score (the thesis needs load and trigger);
      <c>_weight       = side_weight * weight / the side's scored weight (the weight the
                         component carries in fragility_index; null when not scored);
      <c>_contribution = 100 * <c>_weight * score: the index points it adds; they sum to
                         fragility_index.
    components_present = scored components; components_with_value = components with a value;
    rank_history_weeks = the shortest history among the scored components (the longest among
    those with a value while none is scored yet, so a warming-up week says how far it is). -#}
{% macro fragility_composite(scores_relation, grain) -%}
    {%- set components = fragility_components() -%}
    with

    scores as (

        select * from {{ scores_relation }}

    ),

    weights as (

        {{ fragility_weights_values() }}

    ),

    weighted as (

        select
            scores.*,
            weights.weight,
            weights.side_weight,
            sum(case when scores.score is not null then weights.weight end)
                over (partition by scores.{{ grain }}, scores.base_asset, scores.side) as side_weight_used
        from scores
        inner join weights
            on scores.component = weights.component

    ),

    sides as (

        select
            {{ grain }},
            base_asset,
            100.0 * sum(weight * score) filter (where side = 'buildup' and score is not null)
                / nullif(sum(weight) filter (where side = 'buildup' and score is not null), 0) as buildup_raw,
            100.0 * sum(weight * score) filter (where side = 'stress' and score is not null)
                / nullif(sum(weight) filter (where side = 'stress' and score is not null), 0) as stress_raw,
            count(score) as components_present,
            count(value) as components_with_value,
            min(history_weeks) filter (where score is not null) as min_scored_history,
            max(history_weeks) filter (where value is not null) as max_history
        from weighted
        group by {{ grain }}, base_asset

    ),

    composed as (

        select
            weighted.{{ grain }},
            weighted.base_asset,
            weighted.component,
            weighted.value,
            weighted.score,
            case
                when weighted.score is not null
                    and sides.buildup_raw is not null
                    and sides.stress_raw is not null
                    then weighted.side_weight * weighted.weight / weighted.side_weight_used
            end as effective_weight
        from weighted
        inner join sides
            on weighted.{{ grain }} = sides.{{ grain }}
            and weighted.base_asset = sides.base_asset

    ),

    wide as (

        select
            {{ grain }},
            base_asset,
            {%- for component in components %}
            max(value) filter (where component = '{{ component }}') as {{ component }}_value,
            max(score) filter (where component = '{{ component }}') as {{ component }}_score,
            {{ round_metric("max(effective_weight) filter (where component = '" ~ component ~ "')", 6) }}
                as {{ component }}_weight,
            {{ round_metric("100.0 * max(effective_weight * score) filter (where component = '" ~ component ~ "')", 4) }}
                as {{ component }}_contribution,
            {%- endfor %}
            sum(100.0 * effective_weight * score) as contribution_total
        from composed
        group by {{ grain }}, base_asset

    )

    select
        wide.*,
        round(sides.buildup_raw, 1) as buildup_index,
        round(sides.stress_raw, 1) as stress_index,
        round(wide.contribution_total, 1) as fragility_index,
        cast(sides.components_present as integer) as components_present,
        cast(sides.components_with_value as integer) as components_with_value,
        cast(coalesce(sides.min_scored_history, sides.max_history, 0) as integer) as rank_history_weeks
    from wide
    inner join sides
        on wide.{{ grain }} = sides.{{ grain }}
        and wide.base_asset = sides.base_asset
{%- endmacro %}

{#- The regime of a scored period (week or day) before the reset rule: unwinding > unwind risk
    > crowded carry > calm; incomplete / warming up / insufficient data when not scored. -#}
{% macro fragility_base_regime(is_complete) -%}
    case
        when not {{ is_complete }}
            then 'incomplete'
        when fragility_index is null
            and components_with_value > 0
            and rank_history_weeks < {{ var('fragility_min_history_weeks') }}
            then 'warming up'
        when fragility_index is null
            then 'insufficient data'
        when is_unwind_condition
            and (
                price_change_7d_pct <= {{ var('regime_unwinding_drop_7d') }}
                or oi_change_7d_pct <= {{ var('regime_unwinding_drop_7d') }}
            )
            then 'unwinding'
        when is_unwind_condition
            or (
                stress_index >= {{ var('regime_unwind_risk_stress_index') }}
                and buildup_index >= {{ var('regime_loaded_buildup_index') }}
            )
            then 'unwind risk'
        {#- carry over the hurdle where it is measured: BTC carry needs a dated-futures basis,
            which a funding-only user lacks; its absence must not make the regime unreachable,
            and an unknown carry is not read as a carry below the hurdle either. #}
        when buildup_index >= {{ var('regime_crowded_buildup_index') }}
            and excess_funding_apr_7d > 0
            and (carry_apr > 0 or carry_apr is null)
            then 'crowded carry'
        else 'calm'
    end
{%- endmacro %}

{#- 'reset': a scored period within regime_reset_weeks after an 'unwinding' one that is not
    itself unwinding: the market de-levers, whatever the other rules say. -#}
{% macro fragility_regime(base_regime, order_date, incomplete_label) -%}
    case
        when {{ base_regime }} = 'incomplete' then '{{ incomplete_label }}'
        when {{ base_regime }} in ('warming up', 'insufficient data', 'unwinding') then {{ base_regime }}
        when coalesce(bool_or({{ base_regime }} = 'unwinding') over (
                partition by base_asset
                order by {{ order_date }}
                range between interval {{ var('regime_reset_weeks') * 7 }} days preceding
                    and interval 1 day preceding
            ), false)
            then 'reset'
        else {{ base_regime }}
    end
{%- endmacro %}
