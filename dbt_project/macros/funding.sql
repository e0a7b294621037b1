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

{#- Realised carry over the hours the settlements pay for: a settlement pays for the interval
    ending at its timestamp, so a day holding the 00:00 payment of an 8 h interval and then 4 h
    ones accrues 28 h of funding; sum(rate) * 8760 / sum(interval_hours) reads 10.95 % for a
    constant 0.01 %/8 h-equivalent series on every day, where sum(rate) * 365 reads 12.78 %. -#}
{% macro realised_apr_over_hours(rate_sum, hours) -%}
    ({{ rate_sum }}) * 8760.0 / nullif({{ hours }}, 0)
{%- endmacro %}

{% macro realised_apr(rate_sum, days) -%}
    ({{ rate_sum }}) * 365.0 / nullif({{ days }}, 0)
{%- endmacro %}

{#- The fewest settlements a full UTC day holds at this interval: floor(24 / interval_hours)
    (3 at 8 h, 6 at 4 h, 24 at 1 h), at least 1. The 0.02 absorbs timestamp jitter in
    inferred intervals (8.01 h still expects 3). -#}
{% macro settlements_per_full_day(interval_hours) -%}
    greatest(cast(floor(24.0 / nullif({{ interval_hours }}, 0) + 0.02) as integer), 1)
{%- endmacro %}
