{{ config(unique_key=['venue', 'symbol', 'candle_at']) }}
with

source as (

    {{ raw_dataset('ohlcv_daily', 'candle_at') }}

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

    {{ dedupe_on_grain('renamed', 'source, close_price, volume_base') }}

)

select * from final
