{#- Perpetual premium per venue, symbol and hour: (mark - index) / index. Price pair: the venue's
    own mark price against its own spot index (not perp close vs spot close). -#}
with

premium_index as (

    select * from {{ ref('stg_premium_index') }}

),

final as (

    select
        venue,
        symbol,
        base_asset,
        hour_at,
        {{ utc_date('hour_at') }} as premium_date,
        mark_price,
        index_price,
        {{ round_metric(safe_divide('mark_price - index_price', 'index_price')) }} as premium,
        mark_price < index_price as is_discount
    from premium_index
    where mark_price is not null
        and index_price is not null

)

select * from final
