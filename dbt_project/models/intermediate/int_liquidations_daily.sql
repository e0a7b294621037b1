{#- Liquidations per UTC day, venue, base asset and side from the hourly grid: events and USD
    notional summed, seconds connected summed over the hours with a coverage record (null when
    the venue had none that day: nobody listened). -#}
with

hourly as (

    select * from {{ ref('int_liquidations_hourly') }}

),

final as (

    select
        date,
        venue,
        base_asset,
        side,
        cast(sum(events) as bigint) as events,
        {{ round_metric('sum(notional_usd)', 4) }} as notional_usd,
        sum(seconds_connected) as seconds_connected,
        cast(count(seconds_connected) as integer) as hours_covered
    from hourly
    group by date, venue, base_asset, side

)

select * from final
