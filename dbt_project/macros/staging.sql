{#- The skeleton every staging model shares: read one raw dataset (only the partitions an
    incremental build re-reads), cast and rename it (the model's own `renamed` CTE, kept in
    the model where the columns are readable), then keep one row per key of the model's
    grain. The grain is the model's `unique_key`, so it is written once. -#}

{% macro raw_dataset(dataset, event_column) -%}
    {#- The `source` CTE body: raw `dataset`, pruned by its `dt=` folders to the days an
        incremental build re-reads (everything on a full build and in unit tests);
        `event_column` is the model's event time or date column. -#}
    select * from {{ source('raw', dataset) }}
    {{ raw_partitions_from(incremental_window_start(event_column)) }}
{%- endmacro %}

{% macro dedupe_on_grain(relation, order_by) -%}
    {#- The `final` CTE body: one row per key of the model's `unique_key` (a raw partition
        landed twice, a venue repeating a row), the first by `order_by`, which must be a
        total order so the pick is the same on every build. -#}
    select * from {{ relation }}
    qualify row_number() over (
        partition by {{ config.get('unique_key') | join(', ') }}
        order by {{ order_by }}
    ) = 1
{%- endmacro %}
