{{ config(unique_key=['venue', 'symbol', 'liquidated_at', 'side', 'price', 'amount_base']) }}
with

source as (

    {{ raw_dataset('liquidations', 'liquidated_at') }}

),

renamed as (

    select
        cast(source as varchar) as source,
        lower(cast(venue as varchar)) as venue,
        cast(symbol as varchar) as symbol,
        upper(cast(base_asset as varchar)) as base_asset,
        cast(liquidated_at as timestamp with time zone) as liquidated_at,
        lower(cast(side as varchar)) as side,
        cast(price as double) as price,
        cast(amount_base as double) as amount_base,
        coalesce(cast(notional_usd as double), cast(amount_base as double) * cast(price as double))
            as notional_usd,
        lower(cast(capture as varchar)) as capture
    from source
    where venue is not null
        and liquidated_at is not null

),

final as (

    {{ dedupe_on_grain('renamed', 'source, capture, notional_usd nulls last, base_asset nulls last') }}

)

select * from final
