{#- Liquidations per UTC hour, venue, base asset and side: the hours a collector covered (zero
    is a true zero there) and the hours holding imported rows (coverage unknown). For peaks:
    the report's "largest hours of the week" read this mart. coverage_share = seconds connected
    / 3600, null without a coverage record; is_lower_bound when the venue's stream is sampled
    (Binance: at most one liquidation per symbol per second) or the hour was not fully covered.
    A view: int_liquidations_hourly stores the rows, this adds two derived columns. -#}
{{ config(materialized='view') }}
with

hourly as (

    select * from {{ ref('int_liquidations_hourly') }}

),

final as (

    select
        hour_at,
        date,
        venue,
        base_asset,
        side,
        events,
        notional_usd,
        {{ round_metric(safe_divide('seconds_connected', '3600.0')) }} as coverage_share,
        (
            venue in {{ liquidation_sampled_venues() }}
            or seconds_connected is null
            or seconds_connected < 3600
        ) as is_lower_bound
    from hourly

)

select * from final
