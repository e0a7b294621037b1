{#- The raw value of every fragility component per UTC day and base asset, oriented so that
    higher = more fragile on its side (docs/methodology.md, "Fragility index"). Values over a
    week are trailing 7-day values, so the value on a week's last day is the week's value.
    Missing is unknown: a component with no input is null, never 0.
    Build-up (the load):
      excess_funding     max(OI-weighted 7-day realised funding over each venue's baseline, 0)
      premium            max(7-day premium - its trailing-365-day median, 0)
      leverage_buildup   7-day OI change - 7-day price change
      oi_to_spot_volume  total OI / mean daily spot volume over the trailing 7 days
      crowding           mean long/short account ratio over the trailing 7 days
      arb_share          mid of the estimated delta-neutral share of futures OI
      carry_over_hurdle  max(neutral carry net of the hurdle, 0)
      basis              30-day constant-maturity dated-futures basis
    Stress (the trigger):
      carry_compression  max(30-day - 7-day OI-weighted realised funding, 0)
      carry_below_hurdle max(-(neutral carry net of the hurdle), 0)
      negative_funding   OI-weighted share of the trailing 7 days' settlements below each
                         venue's own baseline
      perp_discount      max(trailing-365-day median of the 7-day premium - the premium, 0)
      oi_falling         max(-(7-day OI change), 0)
      liquidations       long liquidation notional / perp OI at the previous close, summed over
                         the trailing 7 days (int_liquidation_cascades_daily.long_share_of_oi_7d);
                         null (unknown) unless all 7 days are known: no collector, no import
    Also the day's regime inputs and its funding completeness: complete when every venue that
    reports the asset's funding in that ISO week has a complete funding day on it. -#}
with

funding_venue as (

    select * from {{ ref('int_funding_daily') }}

),

funding_asset as (

    select * from {{ ref('int_funding_asset_daily') }}

),

carry as (

    select * from {{ ref('int_carry_daily') }}

),

market as (

    select * from {{ ref('int_market_daily') }}

),

arbitrage as (

    select * from {{ ref('int_arbitrage_share_daily') }}

),

liquidations as (

    select date, base_asset, long_share_of_oi_7d
    from {{ ref('int_liquidation_cascades_daily') }}

),

week_venues as (

    select
        {{ iso_week_start('date') }} as week_start,
        base_asset,
        count(distinct venue) as venues
    from funding_venue
    group by all

),

completeness as (

    select
        funding_venue.date,
        funding_venue.base_asset,
        count(*) filter (where funding_venue.is_complete_day) = any_value(week_venues.venues)
            as is_complete_day
    from funding_venue
    inner join week_venues
        on {{ iso_week_start('funding_venue.date') }} = week_venues.week_start
        and funding_venue.base_asset = week_venues.base_asset
    group by funding_venue.date, funding_venue.base_asset

),

premium_history as (

    select
        date,
        base_asset,
        premium_7d,
        median(premium_7d) over trailing_365d as premium_7d_median,
        count(premium_7d) over trailing_365d as premium_history_days
    from carry
    window trailing_365d as (
        partition by base_asset
        order by date
        range between interval 364 days preceding and current row
    )

),

market_7d as (

    select
        date,
        base_asset,
        leverage_buildup_7d,
        oi_usd_total,
        oi_change_7d_pct,
        price_change_7d_pct,
        avg(spot_volume_usd) over trailing_7d as spot_volume_usd_7d,
        avg(long_short_ratio) over trailing_7d as long_short_ratio_7d
    from market
    window trailing_7d as (
        partition by base_asset
        order by date
        range between interval 6 days preceding and current row
    )

),

spine as (

    select date, base_asset from funding_asset
    union
    select date, base_asset from carry
    union
    select date, base_asset from market

),

joined as (

    select
        spine.date,
        spine.base_asset,
        funding_asset.oi_weighted_apr_7d,
        funding_asset.oi_weighted_apr_30d,
        funding_asset.oi_weighted_excess_apr_7d,
        funding_asset.share_below_baseline_7d,
        carry.carry_apr,
        carry.funding_apr_7d,
        carry.basis_cm30_apr,
        carry.is_unwind_condition,
        carry.unwind_reason,
        premium_history.premium_7d,
        case
            when premium_history.premium_history_days >= {{ var('premium_history_min_days') }}
                then premium_history.premium_7d_median
        end as premium_7d_median,
        market_7d.leverage_buildup_7d,
        market_7d.oi_usd_total,
        market_7d.spot_volume_usd_7d,
        market_7d.long_short_ratio_7d,
        market_7d.oi_change_7d_pct,
        market_7d.price_change_7d_pct,
        arbitrage.arb_share_mid,
        liquidations.long_share_of_oi_7d,
        completeness.is_complete_day
    from spine
    left join funding_asset
        on spine.date = funding_asset.date
        and spine.base_asset = funding_asset.base_asset
    left join carry
        on spine.date = carry.date
        and spine.base_asset = carry.base_asset
    left join premium_history
        on spine.date = premium_history.date
        and spine.base_asset = premium_history.base_asset
    left join market_7d
        on spine.date = market_7d.date
        and spine.base_asset = market_7d.base_asset
    left join arbitrage
        on spine.date = arbitrage.date
        and spine.base_asset = arbitrage.base_asset
    left join liquidations
        on spine.date = liquidations.date
        and spine.base_asset = liquidations.base_asset
    left join completeness
        on spine.date = completeness.date
        and spine.base_asset = completeness.base_asset

),

final as (

    select
        date,
        {{ iso_week_label('date') }} as iso_week,
        {{ iso_week_start('date') }} as week_start,
        base_asset,
        {{ round_metric(positive_part('oi_weighted_excess_apr_7d')) }} as excess_funding_value,
        {{ round_metric(positive_part('premium_7d - premium_7d_median')) }} as premium_value,
        {{ round_metric('leverage_buildup_7d') }} as leverage_buildup_value,
        {{ round_metric(safe_divide('oi_usd_total', 'spot_volume_usd_7d')) }} as oi_to_spot_volume_value,
        {{ round_metric('long_short_ratio_7d') }} as crowding_value,
        {{ round_metric('arb_share_mid') }} as arb_share_value,
        {{ round_metric(positive_part('carry_apr')) }} as carry_over_hurdle_value,
        {{ round_metric('basis_cm30_apr') }} as basis_value,
        {{ round_metric(positive_part('oi_weighted_apr_30d - oi_weighted_apr_7d')) }} as carry_compression_value,
        {{ round_metric(positive_part('-carry_apr')) }} as carry_below_hurdle_value,
        {{ round_metric('share_below_baseline_7d') }} as negative_funding_value,
        {{ round_metric(positive_part('premium_7d_median - premium_7d')) }} as perp_discount_value,
        {{ round_metric(positive_part('-oi_change_7d_pct')) }} as oi_falling_value,
        {#- Where no collector ran and nothing was imported the component is unknown, so it is
            neither scored nor counted in components_present, and the stress side re-weights
            over the others. It is floored (a covered week without liquidations scores 0). -#}
        {{ round_metric('long_share_of_oi_7d') }} as liquidations_value,
        is_unwind_condition,
        unwind_reason,
        funding_apr_7d,
        carry_apr,
        oi_weighted_excess_apr_7d as excess_funding_apr_7d,
        premium_7d,
        oi_change_7d_pct,
        price_change_7d_pct,
        is_complete_day
    from joined

)

select * from final
