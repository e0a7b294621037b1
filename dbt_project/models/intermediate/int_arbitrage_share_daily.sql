{#- Estimated delta-neutral (arbitrage) share of futures open interest, per UTC day and base
    asset, as a band. Components: CME leveraged-fund shorts as the basis-trade proxy (low: net
    short = max(short - long, 0), high: gross short), scaled by cme_basis_trade_fraction
    (1.0 = every leveraged-fund short is a basis trade), plus the configured synthetic-dollar
    hedge notional. Denominator: perpetual + dated + CME open interest in USD. Missing is
    unknown: without perpetual OI (the bulk of futures OI) the denominator is unknown and the
    band is null, never a share of CME OI alone; dated futures or CME OI absent from the data
    are left out of the sum and `denominator` names the parts it holds. Null before the first
    CFTC report (no CME component to estimate from). -#}
with

open_interest as (

    select * from {{ ref('int_open_interest_daily') }}

),

cme as (

    select * from {{ ref('int_cme_positions_daily') }}

),

prices as (

    select * from {{ ref('int_market_prices_daily') }}

),

oi_by_kind as (

    select
        date,
        base_asset,
        sum(oi_usd) filter (where kind = 'perp') as oi_perp_usd,
        sum(oi_usd) filter (where kind = 'dated') as oi_dated_usd,
        sum(oi_usd) filter (where kind = 'cme') as oi_cme_usd
    from open_interest
    group by date, base_asset

),

components as (

    select
        oi_by_kind.date,
        oi_by_kind.base_asset,
        cme.cftc_report_date,
        prices.reference_price_usd,
        oi_by_kind.oi_perp_usd,
        oi_by_kind.oi_dated_usd,
        oi_by_kind.oi_cme_usd,
        case
            when oi_by_kind.oi_perp_usd is not null
                then oi_by_kind.oi_perp_usd
                    + coalesce(oi_by_kind.oi_dated_usd, 0)
                    + coalesce(oi_by_kind.oi_cme_usd, 0)
        end as total_oi_usd,
        case
            when oi_by_kind.oi_perp_usd is not null
                then concat_ws(
                    ' + ',
                    'perp',
                    case when oi_by_kind.oi_dated_usd is not null then 'dated' end,
                    case when oi_by_kind.oi_cme_usd is not null then 'cme' end
                )
        end as denominator,
        cme.lev_net_short_usd as cme_lev_net_short_usd,
        cme.lev_gross_short_usd as cme_lev_gross_short_usd,
        {{ synthetic_dollar_hedge_usd('oi_by_kind.base_asset') }} as synthetic_dollar_hedge_usd,
        cast({{ var('cme_basis_trade_fraction') }} as double) as basis_trade_fraction
    from oi_by_kind
    left join cme
        on oi_by_kind.date = cme.date
        and oi_by_kind.base_asset = cme.base_asset
    left join prices
        on oi_by_kind.date = prices.date
        and oi_by_kind.base_asset = prices.base_asset

),

shares as (

    select
        *,
        {{ safe_divide(
            'basis_trade_fraction * cme_lev_net_short_usd + synthetic_dollar_hedge_usd',
            'total_oi_usd'
        ) }} as arb_share_low,
        {{ safe_divide(
            'basis_trade_fraction * cme_lev_gross_short_usd + synthetic_dollar_hedge_usd',
            'total_oi_usd'
        ) }} as arb_share_high
    from components

),

final as (

    select
        date,
        base_asset,
        cftc_report_date,
        reference_price_usd,
        oi_perp_usd,
        oi_dated_usd,
        oi_cme_usd,
        total_oi_usd,
        denominator,
        cme_lev_net_short_usd,
        cme_lev_gross_short_usd,
        synthetic_dollar_hedge_usd,
        basis_trade_fraction,
        {{ round_metric('arb_share_low') }} as arb_share_low,
        {{ round_metric('arb_share_high') }} as arb_share_high,
        {{ round_metric('(arb_share_low + arb_share_high) / 2.0') }} as arb_share_mid,
        case
            when cftc_report_date is null
                then 'none: no CFTC report on or before date'
            when total_oi_usd is null
                then 'none: no perpetual OI (the total futures OI is unknown)'
            when synthetic_dollar_hedge_usd > 0
                then 'cme_lev_money_short (low: net, high: gross); synthetic_dollar_hedge'
            else 'cme_lev_money_short (low: net, high: gross)'
        end as components
    from shares

)

select * from final
