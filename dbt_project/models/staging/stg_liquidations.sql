{{ config(unique_key=['venue', 'symbol', 'liquidated_at', 'side', 'price', 'amount_base']) }}
{%- set window_start = incremental_window_start('liquidated_at') %}
with

source as (

    select * from {{ source('raw', 'liquidations') }}
    {{ raw_partitions_from(window_start) }}

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

    select * from renamed
    qualify row_number() over (
        partition by venue, symbol, liquidated_at, side, price, amount_base
        order by source
    ) = 1

)

select * from final
