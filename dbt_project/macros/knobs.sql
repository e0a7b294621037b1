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

{#- The fragility weights as rows (component, weight), from var fragility_weights. -#}
{% macro fragility_weights_values() -%}
    {%- set weights = var('fragility_weights') -%}
    select * from (
        values
        {%- for component, weight in weights.items() %}
            ('{{ component }}', cast({{ weight | float }} as double)){{ "," if not loop.last }}
        {%- endfor %}
    ) as weights (component, weight)
{%- endmacro %}
