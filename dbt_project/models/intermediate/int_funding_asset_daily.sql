{#- Cross-venue funding per UTC day and base asset, weighted by each venue's perpetual open
    interest that day: sum(apr_i * oi_usd_i) / sum(oi_usd_i) over the venues that have both.
    When no venue has open interest that day the plain mean across venues stands in
    (weighting = 'equal'), so a missing OI feed does not blank the carry. -#}
with

funding as (

    select * from {{ ref('int_funding_daily') }}

),

open_interest as (

    select * from {{ ref('int_open_interest_exchange_daily') }}

),

perp_oi as (

    select
        date,
        venue,
        base_asset,
        oi_usd
    from open_interest
    where kind = 'perp'
        and oi_usd > 0

),

joined as (

    select
        funding.date,
        funding.base_asset,
        funding.venue,
        funding.realised_apr,
        funding.realised_apr_7d,
        funding.realised_apr_30d,
        perp_oi.oi_usd
    from funding
    left join perp_oi
        on funding.date = perp_oi.date
        and funding.venue = perp_oi.venue
        and funding.base_asset = perp_oi.base_asset

),

aggregated as (

    select
        date,
        base_asset,
        count(*) as venues,
        count(oi_usd) as venues_with_oi,
        sum(oi_usd) as oi_usd,
        sum(realised_apr * oi_usd) / nullif(sum(oi_usd) filter (where realised_apr is not null), 0)
            as oi_weighted_apr,
        sum(realised_apr_7d * oi_usd) / nullif(sum(oi_usd) filter (where realised_apr_7d is not null), 0)
            as oi_weighted_apr_7d,
        sum(realised_apr_30d * oi_usd) / nullif(sum(oi_usd) filter (where realised_apr_30d is not null), 0)
            as oi_weighted_apr_30d,
        avg(realised_apr) as mean_apr,
        avg(realised_apr_7d) as mean_apr_7d,
        avg(realised_apr_30d) as mean_apr_30d
    from joined
    group by date, base_asset

),

final as (

    select
        date,
        base_asset,
        cast(venues as integer) as venues,
        cast(venues_with_oi as integer) as venues_with_oi,
        case when venues_with_oi > 0 then 'oi' else 'equal' end as weighting,
        {{ round_metric('case when venues_with_oi > 0 then oi_weighted_apr else mean_apr end') }}
            as oi_weighted_apr,
        {{ round_metric('case when venues_with_oi > 0 then oi_weighted_apr_7d else mean_apr_7d end') }}
            as oi_weighted_apr_7d,
        {{ round_metric('case when venues_with_oi > 0 then oi_weighted_apr_30d else mean_apr_30d end') }}
            as oi_weighted_apr_30d
    from aggregated

)

select * from final
