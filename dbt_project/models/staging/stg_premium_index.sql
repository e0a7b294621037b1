{{ config(unique_key=['venue', 'symbol', 'hour_at']) }}
with

source as (

    {{ raw_dataset('premium_index', 'hour_at') }}

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

    {{ dedupe_on_grain('renamed', 'source, mark_price, index_price') }}

)

select * from final
