{#- Open interest in USD per UTC day, venue, base asset and kind: exchange perpetuals and dated
    futures from the end-of-day snapshots, and CME (venue 'cme', kind 'cme') from the latest
    CFTC report on or before the day times contract units times the day's reference price. -#}
with

exchange as (

    select * from {{ ref('int_open_interest_exchange_daily') }}

),

cme as (

    select * from {{ ref('int_cme_positions_daily') }}

),

exchange_rows as (

    select
        date,
        venue,
        base_asset,
        kind,
        oi_usd
    from exchange

),

cme_rows as (

    select
        date,
        'cme' as venue,
        base_asset,
        'cme' as kind,
        oi_usd
    from cme
    where oi_usd is not null

),

final as (

    select * from exchange_rows
    union all
    select * from cme_rows

)

select * from final
