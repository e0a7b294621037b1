{#- CME futures positioning per UTC day and base asset from CFTC Traders in Financial Futures.
    As-of join on report_date only: each day takes, per market, the latest report with
    report_date <= day (positions as of that Tuesday), whatever its release_date. Contracts are
    converted to the base asset with contract_units (50 ETH, 5 BTC, 0.1 for micro contracts) and
    to USD with the day's reference price. Leveraged-fund net short is floored at 0 per market.
    A report older than cftc_max_staleness_days (14) on a day is stale: the day has no row. -#}
with

reports as (

    select * from {{ ref('stg_cftc_tff') }}

),

prices as (

    select * from {{ ref('int_market_prices_daily') }}

),

markets as (

    select distinct
        cftc_contract_market_code,
        base_asset
    from reports

),

days_by_market as (

    select
        prices.date,
        prices.base_asset,
        prices.reference_price_usd,
        markets.cftc_contract_market_code
    from prices
    inner join markets
        on prices.base_asset = markets.base_asset

),

as_of as (

    select
        days_by_market.date,
        days_by_market.base_asset,
        days_by_market.reference_price_usd,
        reports.cftc_contract_market_code,
        reports.report_date,
        reports.contract_units,
        reports.open_interest_all,
        reports.lev_money_long,
        reports.lev_money_short
    from days_by_market
    asof inner join reports
        on days_by_market.cftc_contract_market_code = reports.cftc_contract_market_code
        and days_by_market.date >= reports.report_date
    {# Staleness cap: a day whose latest report is older than cftc_max_staleness_days (a
       publication gap, e.g. the 2025 US government shutdown) has no CME positions, rather
       than carrying a months-old report forward. #}
    where days_by_market.date - reports.report_date <= {{ var('cftc_max_staleness_days') }}

),

by_asset as (

    select
        date,
        base_asset,
        any_value(reference_price_usd) as reference_price_usd,
        max(report_date) as cftc_report_date,
        count(*) as markets_reported,
        sum(open_interest_all * contract_units) as oi_base,
        sum(lev_money_long * contract_units) as lev_long_base,
        sum(lev_money_short * contract_units) as lev_gross_short_base,
        sum(greatest(lev_money_short - lev_money_long, 0) * contract_units) as lev_net_short_base
    from as_of
    group by date, base_asset

),

final as (

    select
        date,
        base_asset,
        cftc_report_date,
        cast(markets_reported as integer) as markets_reported,
        reference_price_usd,
        oi_base,
        lev_long_base,
        lev_gross_short_base,
        lev_net_short_base,
        {{ round_metric('oi_base * reference_price_usd', 4) }} as oi_usd,
        {{ round_metric('lev_net_short_base * reference_price_usd', 4) }} as lev_net_short_usd,
        {{ round_metric('lev_gross_short_base * reference_price_usd', 4) }} as lev_gross_short_usd
    from by_asset
    where reference_price_usd is not null

)

select * from final
