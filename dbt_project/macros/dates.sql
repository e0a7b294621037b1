{#- Calendar helpers. Every timestamp is timestamptz; dates are UTC calendar dates. -#}

{% macro utc_date(ts) -%}
    cast(timezone('UTC', {{ ts }}) as date)
{%- endmacro %}

{#- An end-of-day snapshot stamped 00:00 UTC of the next day counts for the day before. -#}
{% macro snapshot_date(ts) -%}
    cast(timezone('UTC', {{ ts }}) - interval 1 microsecond as date)
{%- endmacro %}

{% macro hours_between(start_ts, end_ts) -%}
    (epoch({{ end_ts }}) - epoch({{ start_ts }})) / 3600.0
{%- endmacro %}

{% macro days_between(start_ts, end_ts) -%}
    (epoch({{ end_ts }}) - epoch({{ start_ts }})) / 86400.0
{%- endmacro %}

{% macro iso_week_label(day) -%}
    strftime({{ day }}, '%G-W%V')
{%- endmacro %}

{% macro iso_week_start(day) -%}
    cast(date_trunc('week', {{ day }}) as date)
{%- endmacro %}

