{#- Exchange open interest (perpetuals and dated futures) per UTC day, venue, base asset and
    kind, from the end-of-day snapshot: a snapshot at 00:00 UTC of day D+1 counts for D; of
    several snapshots on one day the latest wins. USD notional as reported, else
    oi_base * the day's reference price. -#}
with

open_interest as (

    select * from {{ ref('stg_open_interest') }}

),

prices as (

    select * from {{ ref('int_market_prices_daily') }}

),

snapshots as (

    select
        *,
        {{ snapshot_date('snapshot_at') }} as oi_date
    from open_interest
    qualify row_number() over (
        partition by venue, symbol, {{ snapshot_date('snapshot_at') }}
        order by snapshot_at desc
    ) = 1

),

valued as (

    select
        snapshots.oi_date,
        snapshots.venue,
        snapshots.base_asset,
        snapshots.kind,
        snapshots.symbol,
        coalesce(snapshots.oi_usd, snapshots.oi_base * prices.reference_price_usd) as oi_usd
    from snapshots
    left join prices
        on snapshots.oi_date = prices.date
        and snapshots.base_asset = prices.base_asset

),

final as (

    select
        oi_date as date,
        venue,
        base_asset,
        kind,
        cast(count(oi_usd) as integer) as symbols,
        {{ round_metric('sum(oi_usd)', 4) }} as oi_usd
    from valued
    where oi_usd is not null
    group by oi_date, venue, base_asset, kind

)

select * from final
