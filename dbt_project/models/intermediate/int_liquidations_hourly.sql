{#- Liquidations per UTC hour, venue, base asset and side, with the collector's coverage of that
    venue-hour. The grid is every venue-hour a collector covered (coverage record present) for
    each of the venue's seed assets and both sides, plus every hour holding rows without
    coverage (imports): a covered hour without rows is a true zero; an hour that is on neither
    list has no row and is unknown. seconds_connected is null where no coverage record exists.
    Incremental: an hour depends only on its own events and coverage record, so a build
    re-reads the staged hours from its window start on (macros/incremental.sql). -#}
{{ config(materialized='incremental', unique_key=['hour_at', 'venue', 'base_asset', 'side']) }}
{%- set window_start = incremental_window_start('hour_at') %}
with

events as (

    select * from {{ ref('stg_liquidations') }}
    {{ rows_from('liquidated_at', window_start) }}

),

coverage as (

    select * from {{ ref('stg_liquidation_coverage') }}
    {{ rows_from('hour_at', window_start) }}

),

pairs as (

    select distinct venue, base_asset from {{ ref('stg_venue_funding_rules') }}

),

sides as (

    select unnest(['long', 'short']) as side

),

event_hours as (

    select
        to_timestamp(floor(epoch(liquidated_at) / 3600) * 3600) as hour_at,
        venue,
        base_asset,
        side,
        count(*) as events,
        sum(notional_usd) as notional_usd
    from events
    group by 1, 2, 3, 4

),

covered_grid as (

    select
        coverage.hour_at,
        coverage.venue,
        pairs.base_asset,
        sides.side,
        coverage.seconds_connected
    from coverage
    inner join pairs on coverage.venue = pairs.venue
    cross join sides

),

keys as (

    select hour_at, venue, base_asset, side from covered_grid
    union
    select hour_at, venue, base_asset, side from event_hours

),

final as (

    select
        keys.hour_at,
        {{ utc_date('keys.hour_at') }} as date,
        keys.venue,
        keys.base_asset,
        keys.side,
        cast(coalesce(event_hours.events, 0) as bigint) as events,
        {{ round_metric('coalesce(event_hours.notional_usd, 0)', 4) }} as notional_usd,
        coverage.seconds_connected
    from keys
    left join event_hours
        on keys.hour_at = event_hours.hour_at
        and keys.venue = event_hours.venue
        and keys.base_asset = event_hours.base_asset
        and keys.side = event_hours.side
    left join coverage
        on keys.hour_at = coverage.hour_at
        and keys.venue = coverage.venue

)

select * from final
