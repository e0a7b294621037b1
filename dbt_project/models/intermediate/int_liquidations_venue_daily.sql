{#- Liquidations per UTC day, venue with a liquidation feed, base asset and side (`long` = long
    positions liquidated, forced sells), the hourly grid (int_liquidations_hourly) summed to the
    venue-day: the logic of the fct_liquidations_daily mart. One row per landed day for every such venue, so a gap is
    a row: events and notional_usd are null (unknown, not zero) where no collector covered the
    venue that day and no row was imported. coverage_share = seconds connected / 86,400 (null
    without a coverage record). is_lower_bound: the totals undercount, because the venue's stream
    is sampled (Binance: one liquidation per symbol per second) or the day was not fully covered;
    null where nothing is known. notional_share_of_oi: notional / the venue's perpetual open
    interest at the previous day's close (the positions at risk when the day began).
    Incremental: a day depends on its own hours and the previous day's OI, so a build rewrites
    the days from its window start on (macros/incremental.sql). -#}
{{ config(materialized='incremental', unique_key=['date', 'venue', 'base_asset', 'side']) }}
{%- set window_start = incremental_window_start('date') %}
with

days as (

    select distinct date from {{ ref('int_market_prices_daily') }}
    {{ rows_from('date', window_start) }}

),

pairs as (

    select distinct venue, base_asset
    from {{ ref('stg_venue_funding_rules') }}
    where venue in {{ liquidation_venues() }}

),

sides as (

    select unnest(['long', 'short']) as side

),

hourly as (

    select * from {{ ref('int_liquidations_hourly') }}
    {{ rows_from('hour_at', window_start) }}

),

daily as (

    {#- The hourly grid summed to the venue-day: seconds_connected sums the hours with a
        coverage record and is null when none had one (nobody listened that day). -#}
    select
        date,
        venue,
        base_asset,
        side,
        cast(sum(events) as bigint) as events,
        {{ round_metric('sum(notional_usd)', 4) }} as notional_usd,
        sum(seconds_connected) as seconds_connected
    from hourly
    group by date, venue, base_asset, side

),

open_interest as (

    select
        date,
        venue,
        base_asset,
        oi_usd
    from {{ ref('int_open_interest_exchange_daily') }}
    where kind = 'perp'
    {%- if window_start is not none %}
        and date >= cast('{{ window_start }}' as date) - 1
    {%- endif %}

),

grid as (

    select days.date, pairs.venue, pairs.base_asset, sides.side
    from days
    cross join pairs
    cross join sides

),

joined as (

    select
        grid.date,
        grid.venue,
        grid.base_asset,
        grid.side,
        daily.seconds_connected,
        case
            when daily.seconds_connected is not null or daily.events > 0 then daily.events
        end as events,
        case
            when daily.seconds_connected is not null or daily.events > 0 then daily.notional_usd
        end as notional_usd,
        previous_oi.oi_usd as oi_usd_previous_close
    from grid
    left join daily
        on grid.date = daily.date
        and grid.venue = daily.venue
        and grid.base_asset = daily.base_asset
        and grid.side = daily.side
    left join open_interest as previous_oi
        on previous_oi.date = grid.date - 1
        and grid.venue = previous_oi.venue
        and grid.base_asset = previous_oi.base_asset

),

final as (

    select
        date,
        venue,
        base_asset,
        side,
        events,
        notional_usd,
        {{ round_metric(safe_divide('seconds_connected', '86400.0')) }} as coverage_share,
        case
            when events is null then null
            else venue in {{ liquidation_sampled_venues() }}
                or seconds_connected is null
                or seconds_connected < 86400
        end as is_lower_bound,
        oi_usd_previous_close,
        {{ round_metric(safe_divide('notional_usd', 'oi_usd_previous_close')) }}
            as notional_share_of_oi
    from joined

)

select * from final
