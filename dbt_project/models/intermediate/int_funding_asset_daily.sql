{#- Cross-venue funding per UTC day and base asset, weighted by each venue's perpetual open
    interest: sum(apr_i * w_i) / sum(w_i). The weight matches the window: the day's OI for the
    1-day APR, the venue's mean OI over the same trailing 7 / 30 days for the 7 / 30-day APRs
    (a venue whose OI is missing on the last day still weighs in with the days it has). A venue
    with funding but no OI in the window is not dropped: the window falls back to the plain
    mean over every venue with funding (weighting = 'equal'), since weighting only the venues
    that publish OI would silently drop the others. Also the OI-weighted 7-day excess over each
    venue's baseline and the OI-weighted share of settlements below it (venue-normalised). -#}
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
        funding.realised_excess_apr_7d,
        funding.share_below_baseline_7d,
        perp_oi.oi_usd
    from funding
    left join perp_oi
        on funding.date = perp_oi.date
        and funding.venue = perp_oi.venue
        and funding.base_asset = perp_oi.base_asset

),

windowed as (

    select
        *,
        avg(oi_usd) over trailing_7d as oi_usd_mean_7d,
        avg(oi_usd) over trailing_30d as oi_usd_mean_30d
    from joined
    window
        trailing_7d as (
            partition by venue, base_asset
            order by date
            range between interval 6 days preceding and current row
        ),
        trailing_30d as (
            partition by venue, base_asset
            order by date
            range between interval 29 days preceding and current row
        )

),

aggregated as (

    select
        date,
        base_asset,
        count(*) as venues,
        count(oi_usd) as venues_with_oi,
        count(oi_usd_mean_7d) as venues_with_oi_7d,
        sum(oi_usd) as oi_usd,
        bool_and(realised_apr is null or oi_usd is not null) as oi_covers_1d,
        bool_and(realised_apr_7d is null or oi_usd_mean_7d is not null)
            and bool_and(realised_excess_apr_7d is null or oi_usd_mean_7d is not null)
            and bool_and(share_below_baseline_7d is null or oi_usd_mean_7d is not null)
            as oi_covers_7d,
        bool_and(realised_apr_30d is null or oi_usd_mean_30d is not null) as oi_covers_30d,
        sum(realised_apr * oi_usd)
            / nullif(sum(oi_usd) filter (where realised_apr is not null), 0) as oi_weighted_apr,
        sum(realised_apr_7d * oi_usd_mean_7d)
            / nullif(sum(oi_usd_mean_7d) filter (where realised_apr_7d is not null), 0)
            as oi_weighted_apr_7d,
        sum(realised_apr_30d * oi_usd_mean_30d)
            / nullif(sum(oi_usd_mean_30d) filter (where realised_apr_30d is not null), 0)
            as oi_weighted_apr_30d,
        sum(realised_excess_apr_7d * oi_usd_mean_7d)
            / nullif(sum(oi_usd_mean_7d) filter (where realised_excess_apr_7d is not null), 0)
            as oi_weighted_excess_apr_7d,
        sum(share_below_baseline_7d * oi_usd_mean_7d)
            / nullif(sum(oi_usd_mean_7d) filter (where share_below_baseline_7d is not null), 0)
            as oi_weighted_below_baseline_7d,
        avg(realised_apr) as mean_apr,
        avg(realised_apr_7d) as mean_apr_7d,
        avg(realised_apr_30d) as mean_apr_30d,
        avg(realised_excess_apr_7d) as mean_excess_apr_7d,
        avg(share_below_baseline_7d) as mean_below_baseline_7d
    from windowed
    group by date, base_asset

),

final as (

    select
        date,
        base_asset,
        cast(venues as integer) as venues,
        cast(venues_with_oi as integer) as venues_with_oi,
        cast(venues_with_oi_7d as integer) as venues_with_oi_7d,
        case when oi_covers_7d then 'oi' else 'equal' end as weighting,
        {{ round_metric('case when oi_covers_1d then oi_weighted_apr else mean_apr end') }}
            as oi_weighted_apr,
        {{ round_metric('case when oi_covers_7d then oi_weighted_apr_7d else mean_apr_7d end') }}
            as oi_weighted_apr_7d,
        {{ round_metric('case when oi_covers_30d then oi_weighted_apr_30d else mean_apr_30d end') }}
            as oi_weighted_apr_30d,
        {{ round_metric('case when oi_covers_7d then oi_weighted_excess_apr_7d else mean_excess_apr_7d end') }}
            as oi_weighted_excess_apr_7d,
        {{ round_metric('case when oi_covers_7d then oi_weighted_below_baseline_7d else mean_below_baseline_7d end') }}
            as share_below_baseline_7d
    from aggregated

)

select * from final
