{#- Guarded arithmetic and the rounding that keeps derived floats reproducible. -#}

{% macro safe_divide(numerator, denominator) -%}
    ({{ numerator }}) / nullif({{ denominator }}, 0)
{%- endmacro %}

{% macro pct_change(current, previous) -%}
    ({{ current }}) / nullif({{ previous }}, 0) - 1.0
{%- endmacro %}

{#- Derived ratios and rates keep 12 decimals (1e-12 is far below any quoted precision);
    unit tests compare floats exactly, so outputs are rounded once, in the final CTE. -#}
{% macro round_metric(expression, digits=12) -%}
    round({{ expression }}, {{ digits }})
{%- endmacro %}

{#- y at x on the line through (x0, y0) and (x1, y1); y0 when the two points coincide. -#}
{% macro linear_interpolate(x, x0, y0, x1, y1) -%}
    case
        when ({{ x1 }}) = ({{ x0 }}) then ({{ y0 }})
        else ({{ y0 }}) + (({{ y1 }}) - ({{ y0 }})) * (({{ x }}) - ({{ x0 }})) / (({{ x1 }}) - ({{ x0 }}))
    end
{%- endmacro %}

{#- max(x, 0) that keeps null: DuckDB's greatest() skips nulls (greatest(null, 0) = 0), which
    would turn an unknown input into "none of it". -#}
{% macro positive_part(expression) -%}
    case when ({{ expression }}) is not null then greatest(({{ expression }}), 0) end
{%- endmacro %}
