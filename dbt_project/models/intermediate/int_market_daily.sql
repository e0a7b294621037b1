{#- Price, open interest, leverage build-up, crowding and volume per UTC day and base asset.
    Changes compare with the same calendar day 7 / 30 days earlier (null when that day is
    missing). OI changes are like-for-like: only (venue, kind) series present on both days
    count, so a venue or the CME series appearing in the data is not read as new leverage.
    leverage_buildup_7d = OI change - price change over 7 days (OI up with price flat = new
    leverage). Long/short ratio: mean across venues (each venue's symbols averaged first). -#}
with

prices as (

    select * from {{ ref('int_market_prices_daily') }}

),

open_interest as (

    select * from {{ ref('int_open_interest_daily') }}

),

long_short as (

    select * from {{ ref('stg_long_short_ratio') }}

),

oi_total as (

    select
        current_day.date,
        current_day.base_asset,
        sum(current_day.oi_usd) as oi_usd_total,
        sum(current_day.oi_usd) filter (where ago_7d.oi_usd is not null) as oi_matched_7d,
        sum(ago_7d.oi_usd) as oi_matched_7d_before,
        sum(current_day.oi_usd) filter (where ago_30d.oi_usd is not null) as oi_matched_30d,
        sum(ago_30d.oi_usd) as oi_matched_30d_before
    from open_interest as current_day
    left join open_interest as ago_7d
        on current_day.venue = ago_7d.venue
        and current_day.base_asset = ago_7d.base_asset
        and current_day.kind = ago_7d.kind
        and ago_7d.date = current_day.date - 7
    left join open_interest as ago_30d
        on current_day.venue = ago_30d.venue
        and current_day.base_asset = ago_30d.base_asset
        and current_day.kind = ago_30d.kind
        and ago_30d.date = current_day.date - 30
    group by current_day.date, current_day.base_asset

),

long_short_by_venue as (

    select
        {{ utc_date('observed_at') }} as date,
        base_asset,
        venue,
        avg(long_short_ratio) as long_short_ratio
    from long_short
    where long_short_ratio is not null
    group by all

),

long_short_daily as (

    select
        date,
        base_asset,
        avg(long_short_ratio) as long_short_ratio
    from long_short_by_venue
    group by date, base_asset

),

spine as (

    select date, base_asset from prices
    union
    select date, base_asset from oi_total

),

daily as (

    select
        spine.date,
        spine.base_asset,
        prices.reference_price_usd,
        oi_total.oi_usd_total,
        {{ pct_change('oi_total.oi_matched_7d', 'oi_total.oi_matched_7d_before') }} as oi_change_7d_pct,
        {{ pct_change('oi_total.oi_matched_30d', 'oi_total.oi_matched_30d_before') }} as oi_change_30d_pct,
        long_short_daily.long_short_ratio,
        prices.perp_volume_usd,
        prices.spot_volume_usd
    from spine
    left join prices
        on spine.date = prices.date
        and spine.base_asset = prices.base_asset
    left join oi_total
        on spine.date = oi_total.date
        and spine.base_asset = oi_total.base_asset
    left join long_short_daily
        on spine.date = long_short_daily.date
        and spine.base_asset = long_short_daily.base_asset

),

changes as (

    select
        daily.*,
        {{ pct_change('daily.reference_price_usd', 'ago_7d.reference_price_usd') }} as price_change_7d_pct,
        {{ pct_change('daily.reference_price_usd', 'ago_30d.reference_price_usd') }} as price_change_30d_pct
    from daily
    left join daily as ago_7d
        on daily.base_asset = ago_7d.base_asset
        and ago_7d.date = daily.date - 7
    left join daily as ago_30d
        on daily.base_asset = ago_30d.base_asset
        and ago_30d.date = daily.date - 30

),

final as (

    select
        date,
        base_asset,
        reference_price_usd,
        {{ round_metric('price_change_7d_pct') }} as price_change_7d_pct,
        {{ round_metric('price_change_30d_pct') }} as price_change_30d_pct,
        oi_usd_total,
        {{ round_metric('oi_change_7d_pct') }} as oi_change_7d_pct,
        {{ round_metric('oi_change_30d_pct') }} as oi_change_30d_pct,
        {{ round_metric('oi_change_7d_pct - price_change_7d_pct') }} as leverage_buildup_7d,
        {{ round_metric('long_short_ratio') }} as long_short_ratio,
        perp_volume_usd,
        spot_volume_usd,
        {{ round_metric(safe_divide('perp_volume_usd', 'spot_volume_usd')) }} as perp_spot_volume_ratio
    from changes

)

select * from final
