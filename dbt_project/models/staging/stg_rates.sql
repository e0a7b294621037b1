{{ config(unique_key=['rate_date', 'series']) }}
{%- set window_start = incremental_window_start('rate_date') %}
with

source as (

    select * from {{ source('raw', 'rates') }}
    {{ raw_partitions_from(window_start) }}

),

renamed as (

    select
        cast(source as varchar) as source,
        cast(date as date) as rate_date,
        lower(cast(series as varchar)) as series,
        cast(value as double) as value,
        coalesce(cast(is_filled as boolean), false) as is_filled
    from source
    where date is not null
        and series is not null
        and value is not null

),

final as (

    select * from renamed
    qualify row_number() over (
        partition by rate_date, series
        order by is_filled, source, value
    ) = 1

)

select * from final
