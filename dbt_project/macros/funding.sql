{#- Funding arithmetic. Rates are decimal fractions per settlement interval. -#}

{% macro annualise_simple(rate, interval_hours) -%}
    ({{ rate }}) * 8760.0 / nullif({{ interval_hours }}, 0)
{%- endmacro %}

{% macro annualise_compounded(rate, interval_hours) -%}
    power(1.0 + ({{ rate }}), 8760.0 / nullif({{ interval_hours }}, 0)) - 1.0
{%- endmacro %}

{% macro baseline_rate(baseline_rate_8h, interval_hours) -%}
    ({{ baseline_rate_8h }}) * ({{ interval_hours }}) / 8.0
{%- endmacro %}

{% macro realised_apr(rate_sum, days) -%}
    ({{ rate_sum }}) * 365.0 / nullif({{ days }}, 0)
{%- endmacro %}
