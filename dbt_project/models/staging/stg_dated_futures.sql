{{ config(unique_key=['venue', 'symbol', 'observed_at']) }}
with

source as (

    {{ raw_dataset('dated_futures', 'observed_at') }}

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

    {{ dedupe_on_grain('renamed', 'source, future_price, index_price') }}

)

select * from final
