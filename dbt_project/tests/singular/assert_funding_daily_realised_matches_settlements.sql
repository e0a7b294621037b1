-- Reconciliation: a venue-day's rate_sum equals the settlements' rates summed per symbol and
-- averaged over symbols, straight from fct_funding_rates.
with

rates as (

    select * from {{ ref('fct_funding_rates') }}

),

daily as (

    select * from {{ ref('fct_funding_daily') }}

),

by_symbol as (

    select funding_date, venue, base_asset, symbol, sum(rate) as rate_sum
    from rates
    group by all

),

by_venue as (

    select funding_date as date, venue, base_asset, avg(rate_sum) as rate_sum
    from by_symbol
    group by all

),

errors as (

    select
        by_venue.*,
        daily.rate_sum as mart_rate_sum
    from by_venue
    full outer join daily
        on by_venue.date = daily.date
        and by_venue.venue = daily.venue
        and by_venue.base_asset = daily.base_asset
    where daily.rate_sum is null
        or by_venue.rate_sum is null
        or abs(by_venue.rate_sum - daily.rate_sum) > 1e-10

)

select * from errors
