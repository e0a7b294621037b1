{#- Reference price and traded volume per UTC day and base asset. Reference price: the mean
    across venues of the spot close (each venue's spot symbols averaged first); the perp close
    stands in only on days with no spot candle. Volumes in USD: volume_base * close. -#}
with

candles as (

    select * from {{ ref('stg_ohlcv_daily') }}

),

dated as (

    select
        {{ utc_date('candle_at') }} as price_date,
        venue,
        base_asset,
        market_type,
        close_price,
        volume_base * close_price as volume_usd
    from candles
    where close_price is not null

),

by_venue as (

    select
        price_date,
        base_asset,
        venue,
        avg(close_price) filter (where market_type = 'spot') as spot_close,
        avg(close_price) filter (where market_type = 'perp') as perp_close,
        sum(volume_usd) filter (where market_type = 'spot') as spot_volume_usd,
        sum(volume_usd) filter (where market_type = 'perp') as perp_volume_usd
    from dated
    group by price_date, base_asset, venue

),

by_asset as (

    select
        price_date,
        base_asset,
        avg(spot_close) as spot_close_mean,
        avg(perp_close) as perp_close_mean,
        count(spot_close) as spot_venues,
        sum(spot_volume_usd) as spot_volume_usd,
        sum(perp_volume_usd) as perp_volume_usd
    from by_venue
    group by price_date, base_asset

),

final as (

    select
        price_date as date,
        base_asset,
        {{ round_metric('coalesce(spot_close_mean, perp_close_mean)', 8) }} as reference_price_usd,
        case when spot_close_mean is not null then 'spot' else 'perp' end as price_source,
        cast(spot_venues as integer) as spot_venues,
        {{ round_metric('perp_volume_usd', 4) }} as perp_volume_usd,
        {{ round_metric('spot_volume_usd', 4) }} as spot_volume_usd
    from by_asset

)

select * from final
