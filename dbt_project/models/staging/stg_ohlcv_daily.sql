{{ config(unique_key=['venue', 'symbol', 'candle_at']) }}
{%- set window_start = incremental_window_start('candle_at') %}
with

source as (

    select * from {{ source('raw', 'ohlcv_daily') }}
    {{ raw_partitions_from(window_start) }}

),

renamed as (

    select
        cast(source as varchar) as source,
        lower(cast(venue as varchar)) as venue,
        cast(symbol as varchar) as symbol,
        upper(cast(base_asset as varchar)) as base_asset,
        lower(cast(market_type as varchar)) as market_type,
        cast(ts as timestamp with time zone) as candle_at,
        cast(open as double) as open_price,
        cast(high as double) as high_price,
        cast(low as double) as low_price,
        cast(close as double) as close_price,
        cast(volume_base as double) as volume_base
    from source
    where venue is not null
        and symbol is not null
        and ts is not null

),

final as (

    select * from renamed
    qualify row_number() over (
        partition by venue, symbol, candle_at
        order by source, close_price, volume_base
    ) = 1

)

select * from final
