{#- The week's raw value of each fragility component per ISO week and base asset, oriented so
    that higher = more fragile. "At week end" = the last day of the ISO week (Mon..Sun) that has
    a value. Also carries the week-end carry state used by the regime rules, and the week's
    completeness, measured on funding (the one input every venue publishes at a known cadence):
    an asset's day is complete when every venue that reports the asset's funding that week has
    a complete funding day (fct_funding_daily.is_complete_day) on it, and the week is complete
    when all 7 of its days are. Incomplete weeks (the first and last weeks of a history, an
    outage) are not scored downstream. -#}
with

funding_daily as (

    select * from {{ ref('fct_funding_daily') }}

),

basis as (

    select * from {{ ref('fct_basis') }}

),

carry as (

    select * from {{ ref('fct_carry_daily') }}

),

market as (

    select * from {{ ref('fct_market_daily') }}

),

arbitrage as (

    select * from {{ ref('fct_arbitrage_share') }}

),

funding_asset_daily as (

    select
        date,
        {{ iso_week_start('date') }} as week_start,
        base_asset,
        any_value(oi_weighted_apr_30d) - any_value(oi_weighted_apr_7d) as carry_compression,
        sum(settlements) as settlements,
        sum(negative_settlements) as negative_settlements,
        count(*) filter (where is_complete_day) as complete_venues
    from funding_daily
    group by date, base_asset

),

funding_week_venues as (

    select
        {{ iso_week_start('date') }} as week_start,
        base_asset,
        count(distinct venue) as venues
    from funding_daily
    group by all

),

funding_weekly as (

    select
        funding_asset_daily.week_start,
        funding_asset_daily.base_asset,
        arg_max(funding_asset_daily.carry_compression, funding_asset_daily.date)
            filter (where funding_asset_daily.carry_compression is not null)
            as carry_compression_value,
        {{ safe_divide(
            'sum(funding_asset_daily.negative_settlements)',
            'sum(funding_asset_daily.settlements)'
        ) }} as negative_funding_value,
        count(*) as days_in_week,
        count(*) filter (where funding_asset_daily.complete_venues = funding_week_venues.venues)
            as complete_days_in_week
    from funding_asset_daily
    inner join funding_week_venues
        on funding_asset_daily.week_start = funding_week_venues.week_start
        and funding_asset_daily.base_asset = funding_week_venues.base_asset
    group by funding_asset_daily.week_start, funding_asset_daily.base_asset

),

premium_weekly as (

    select
        {{ iso_week_start('date') }} as week_start,
        base_asset,
        {{ safe_divide('sum(discount_hours)', 'sum(hours_observed)') }} as perp_discount_value
    from basis
    where kind = 'perp'
    group by all

),

carry_weekly as (

    select
        {{ iso_week_start('date') }} as week_start,
        base_asset,
        max(date) as carry_as_of,
        -arg_max(carry_apr, date) filter (where carry_apr is not null) as carry_vs_hurdle_value,
        arg_max(carry_apr, date) as carry_apr,
        arg_max(funding_apr_7d, date) as funding_apr_7d,
        arg_max(is_unwind_condition, date) as is_unwind_condition,
        arg_max(unwind_reason, date) as unwind_reason
    from carry
    group by all

),

market_weekly as (

    select
        {{ iso_week_start('date') }} as week_start,
        base_asset,
        arg_max(leverage_buildup_7d, date) filter (where leverage_buildup_7d is not null)
            as leverage_buildup_value,
        avg(long_short_ratio) as crowding_value,
        arg_max(oi_change_7d_pct, date) filter (where oi_change_7d_pct is not null)
            as oi_change_7d_pct
    from market
    group by all

),

arbitrage_weekly as (

    select
        {{ iso_week_start('date') }} as week_start,
        base_asset,
        arg_max(arb_share_mid, date) filter (where arb_share_mid is not null) as arb_share_value
    from arbitrage
    group by all

),

spine as (

    select week_start, base_asset from funding_weekly
    union
    select week_start, base_asset from premium_weekly
    union
    select week_start, base_asset from carry_weekly
    union
    select week_start, base_asset from market_weekly

),

final as (

    select
        {{ iso_week_label('spine.week_start') }} as iso_week,
        spine.week_start,
        cast(spine.week_start + 6 as date) as week_end,
        spine.base_asset,
        {{ round_metric('funding_weekly.carry_compression_value') }} as carry_compression_value,
        {{ round_metric('carry_weekly.carry_vs_hurdle_value') }} as carry_vs_hurdle_value,
        {{ round_metric('funding_weekly.negative_funding_value') }} as negative_funding_value,
        {{ round_metric('premium_weekly.perp_discount_value') }} as perp_discount_value,
        {{ round_metric('market_weekly.leverage_buildup_value') }} as leverage_buildup_value,
        {{ round_metric('market_weekly.crowding_value') }} as crowding_value,
        {{ round_metric('arbitrage_weekly.arb_share_value') }} as arb_share_value,
        carry_weekly.carry_as_of,
        coalesce(carry_weekly.is_unwind_condition, false) as is_unwind_condition,
        coalesce(carry_weekly.unwind_reason, '') as unwind_reason,
        carry_weekly.funding_apr_7d,
        carry_weekly.carry_apr,
        market_weekly.oi_change_7d_pct,
        cast(coalesce(funding_weekly.days_in_week, 0) as integer) as days_in_week,
        cast(coalesce(funding_weekly.complete_days_in_week, 0) as integer) as complete_days_in_week,
        coalesce(funding_weekly.complete_days_in_week, 0) = 7 as is_complete_week
    from spine
    left join funding_weekly
        on spine.week_start = funding_weekly.week_start
        and spine.base_asset = funding_weekly.base_asset
    left join premium_weekly
        on spine.week_start = premium_weekly.week_start
        and spine.base_asset = premium_weekly.base_asset
    left join carry_weekly
        on spine.week_start = carry_weekly.week_start
        and spine.base_asset = carry_weekly.base_asset
    left join market_weekly
        on spine.week_start = market_weekly.week_start
        and spine.base_asset = market_weekly.base_asset
    left join arbitrage_weekly
        on spine.week_start = arbitrage_weekly.week_start
        and spine.base_asset = arbitrage_weekly.base_asset

)

select * from final
