{{ config(unique_key=['venue', 'symbol', 'observed_at']) }}
{%- set window_start = incremental_window_start('observed_at') %}
with

source as (

    select * from {{ source('raw', 'dated_futures') }}
    {{ raw_partitions_from(window_start) }}

),

renamed as (

    select
        cast(source as varchar) as source,
        lower(cast(venue as varchar)) as venue,
        cast(symbol as varchar) as symbol,
        upper(cast(base_asset as varchar)) as base_asset,
        cast(ts as timestamp with time zone) as observed_at,
        cast(expiry_ts as timestamp with time zone) as expires_at,
        cast(future_price as double) as future_price,
        cast(index_price as double) as index_price
    from source
    where venue is not null
        and symbol is not null
        and ts is not null

),

final as (

    select * from renamed
    qualify row_number() over (
        partition by venue, symbol, observed_at
        order by source, future_price, index_price
    ) = 1

)

select * from final
