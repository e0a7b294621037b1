{#- Perpetual premium (mark vs index) per UTC day and base asset: each venue's mean over the
    trailing 7 days (date-6..date, all observed hours of its symbols), then weighted across
    venues by the venue's perpetual open interest that day (plain mean when none has OI). -#}
with

perp_daily as (

    select * from {{ ref('int_basis_perp_daily') }}

),

open_interest as (

    select * from {{ ref('int_open_interest_exchange_daily') }}

),

by_venue as (

    select
        date,
        venue,
        base_asset,
        sum(premium_sum) as premium_sum,
        sum(hours_observed) as hours_observed,
        sum(discount_hours) as discount_hours
    from perp_daily
    group by date, venue, base_asset

),

premium_by_venue_7d as (

    select
        *,
        sum(premium_sum) over trailing_7d / nullif(sum(hours_observed) over trailing_7d, 0)
            as premium_7d
    from by_venue
    window trailing_7d as (
        partition by venue, base_asset
        order by date
        range between interval 6 days preceding and current row
    )

),

weighted as (

    select
        premium_by_venue_7d.date,
        premium_by_venue_7d.base_asset,
        sum(premium_by_venue_7d.premium_7d * perp_oi.oi_usd)
            / nullif(sum(perp_oi.oi_usd) filter (where premium_by_venue_7d.premium_7d is not null), 0)
            as oi_weighted_premium_7d,
        avg(premium_by_venue_7d.premium_7d) as mean_premium_7d,
        sum(premium_by_venue_7d.premium_sum) / nullif(sum(premium_by_venue_7d.hours_observed), 0) as premium_mean,
        sum(premium_by_venue_7d.discount_hours) as discount_hours,
        sum(premium_by_venue_7d.hours_observed) as hours_observed
    from premium_by_venue_7d
    left join open_interest as perp_oi
        on premium_by_venue_7d.date = perp_oi.date
        and premium_by_venue_7d.venue = perp_oi.venue
        and premium_by_venue_7d.base_asset = perp_oi.base_asset
        and perp_oi.kind = 'perp'
        and perp_oi.oi_usd > 0
    group by premium_by_venue_7d.date, premium_by_venue_7d.base_asset

),

final as (

    select
        date,
        base_asset,
        {{ round_metric('coalesce(oi_weighted_premium_7d, mean_premium_7d)') }} as premium_7d,
        {{ round_metric('premium_mean') }} as premium_mean,
        cast(discount_hours as integer) as discount_hours,
        cast(hours_observed as integer) as hours_observed
    from weighted

)

select * from final
