{{ config(unique_key=['venue', 'symbol', 'hour_at']) }}
{%- set window_start = incremental_window_start('hour_at') %}
with

source as (

    select * from {{ source('raw', 'premium_index') }}
    {{ raw_partitions_from(window_start) }}

),

renamed as (

    select
        cast(source as varchar) as source,
        lower(cast(venue as varchar)) as venue,
        cast(symbol as varchar) as symbol,
        upper(cast(base_asset as varchar)) as base_asset,
        cast(ts as timestamp with time zone) as hour_at,
        cast(mark_price as double) as mark_price,
        cast(index_price as double) as index_price
    from source
    where venue is not null
        and symbol is not null
        and ts is not null

),

final as (

    select * from renamed
    qualify row_number() over (
        partition by venue, symbol, hour_at
        order by source, mark_price, index_price
    ) = 1

)

select * from final
