{#- Incremental builds: the models that hold one row per raw event (settlement, hour, snapshot)
    re-read only the newest raw partitions instead of all history, so a daily build costs one
    day of work, not five years (docs/methodology.md, "Incremental builds"). A full build
    (first build, `dbt build --full-refresh`, `perp-fragility rebuild-warehouse`) reads
    everything and must give the same rows: tests/integration/test_incremental_equivalence.py. -#}

{% macro incremental_window_start(event_ts) -%}
    {#- First UTC day an incremental build re-reads: the latest day this model already holds
        minus var('incremental_lookback_days'), so late or re-landed recent partitions are
        picked up again. none on a full build, while this model is still empty, and in dbt unit
        tests (no `this` relation: they test the full-build SQL). -#}
    {%- if not execute or this is none or not is_incremental() -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set query -%}
        select {{ utc_date('max(' ~ event_ts ~ ')') }} - {{ var('incremental_lookback_days') }}
        from {{ this }}
    {%- endset -%}
    {{- return(run_query(query).columns[0].values()[0]) -}}
{%- endmacro %}

{% macro raw_partition_day() -%}
    {#- The `dt=YYYY-MM-DD` day of the raw partition folder a row was read from (the source's
        `filename` column). Filtering on it lets DuckDB skip whole files before opening them. -#}
    regexp_extract(filename, 'dt=([0-9]{4}-[0-9]{2}-[0-9]{2})', 1)
{%- endmacro %}

{% macro raw_partitions_from(window_start) -%}
    {%- if window_start is not none -%}
        where {{ raw_partition_day() }} >= '{{ window_start }}'
    {%- endif -%}
{%- endmacro %}

{% macro rows_from(event_ts, window_start, context_days=0) -%}
    {#- Restricts a downstream incremental model to rows at or after the window start, less
        `context_days` of earlier rows that window functions (lag/lead) need to look back on. -#}
    {%- if window_start is not none -%}
        where {{ utc_date(event_ts) }} >= cast('{{ window_start }}' as date) - {{ context_days }}
    {%- endif -%}
{%- endmacro %}
