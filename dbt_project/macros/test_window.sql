{#- Data tests on the window a routine build changed (docs/methodology.md, "Incremental
    builds"). A routine incremental build only rewrites rows from its window start on, so the
    warehouse asset passes that day in the environment variable PERP_FRAGILITY_TEST_SINCE
    (YYYY-MM-DD; by hand, `--vars '{test_since: YYYY-MM-DD}'` does the same) and every generic
    data test reads only the tested model's rows from the Monday of that day's week on (the
    week, so weekly rows that hold the day are checked too). Without either (CI, a first
    build, `dbt build --full-refresh`, `perp-fragility rebuild-warehouse`) tests read every row.
    The environment variable is read at execution only, never while parsing: a new day each
    run then keeps dbt's partial parse (a changed `--vars` makes dbt parse the whole project
    again, ~4 s).
    A model's window column is the first of var('test_window_columns') it documents in its yml;
    a model documenting none (a dimension, the coverage plan) is always tested whole.
    Overrides dbt's own get_where_subquery, which dbt wraps around a generic test's `model`. -#}

{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set window = test_window_filter() -%}
    {%- set clauses = [] -%}
    {%- if where -%}{%- do clauses.append('(' ~ where ~ ')') -%}{%- endif -%}
    {%- if window -%}{%- do clauses.append(window) -%}{%- endif -%}
    {%- if clauses -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ clauses | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}

{% macro test_window_column(node) -%}
    {#- The tested model's window column (none when it documents no time column). -#}
    {%- for column in var('test_window_columns') -%}
        {%- if column in node.columns -%}{{- return(column) -}}{%- endif -%}
    {%- endfor -%}
    {{- return(none) -}}
{%- endmacro %}

{% macro test_window_filter() -%}
    {#- `<column> >= monday of test_since's week`, or '' when every row is to be tested. -#}
    {%- if not execute or model.attached_node is none -%}{{- return('') -}}{%- endif -%}
    {%- set since = var('test_since', none) or env_var('PERP_FRAGILITY_TEST_SINCE', '') -%}
    {%- if not since -%}{{- return('') -}}{%- endif -%}
    {%- set node = graph.nodes.get(model.attached_node) -%}
    {%- set column = test_window_column(node) if node is not none else none -%}
    {%- if column is none -%}{{- return('') -}}{%- endif -%}
    {%- set day = modules.datetime.date.fromisoformat(since | string) -%}
    {%- set monday = day - modules.datetime.timedelta(days=day.weekday()) -%}
    {#- A string literal takes the column's type: a date, or a timestamptz at 00:00 in the
        session's time zone, UTC (profiles.yml). -#}
    {{- return(column ~ " >= '" ~ monday.isoformat() ~ "'") -}}
{%- endmacro %}
