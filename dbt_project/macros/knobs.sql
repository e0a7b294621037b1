{#- Project vars rendered as SQL. -#}

{#- Synthetic-dollar hedge notional (USD) per base asset, from var synthetic_dollar_hedge_usd
    (a mapping asset -> USD; 0 for assets not listed). -#}
{% macro synthetic_dollar_hedge_usd(base_asset_column) -%}
    {%- set hedges = var('synthetic_dollar_hedge_usd', {}) -%}
    {%- if hedges is mapping and hedges | length > 0 -%}
    case {{ base_asset_column }}
        {%- for asset, usd in hedges.items() %}
        when '{{ asset | upper }}' then cast({{ usd | float }} as double)
        {%- endfor %}
        else cast(0 as double)
    end
    {%- else -%}
    cast({{ hedges | float if hedges is number else 0 }} as double)
    {%- endif -%}
{%- endmacro %}

{#- The fragility components in contract order: build-up side first, then stress. -#}
{% macro fragility_components() -%}
    {%- set weights = var('fragility_weights') -%}
    {%- set names = [] -%}
    {%- for side in ['buildup', 'stress'] -%}
        {%- for component in weights[side].keys() -%}
            {%- do names.append(component) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{- return(names) -}}
{%- endmacro %}

{#- The fragility weights as rows (component, side, weight, side_weight), from vars
    fragility_weights (per side) and fragility_side_weights. -#}
{% macro fragility_weights_values() -%}
    {%- set weights = var('fragility_weights') -%}
    {%- set sides = var('fragility_side_weights') -%}
    select * from (
        values
        {%- for side in ['buildup', 'stress'] %}
        {%- set outer = loop %}
        {%- for component, weight in weights[side].items() %}
            ('{{ component }}', '{{ side }}', cast({{ weight | float }} as double), cast({{ sides[side] | float }} as double)){{ "," if not (loop.last and outer.last) }}
        {%- endfor %}
        {%- endfor %}
    ) as weights (component, side, weight, side_weight)
{%- endmacro %}
