{#- Funding per UTC day, venue and base asset: settlements, the day's rate sum, realised carry
    over 1/7/30 days (the 7/30-day windows sum complete days only), settlement shares, the
    venue's perpetual OI, the cross-venue OI-weighted APR of the asset (repeated on each venue
    row of that date and asset), and the day's completeness (settlements against those a full
    day holds at the interval).
    Incremental: a build rewrites whole days from its window start on (unique_key date). -#}
{{ config(materialized='incremental', unique_key='date') }}
{%- set window_start = incremental_window_start('date') %}
with

funding as (

    select * from {{ ref('int_funding_daily') }}
    {{ rows_from('date', window_start) }}

),

open_interest as (

    select * from {{ ref('int_open_interest_exchange_daily') }}

),

funding_by_asset as (

    select * from {{ ref('int_funding_asset_daily') }}

),

final as (

    select
        funding.date,
        funding.venue,
        funding.base_asset,
        funding.settlements,
        funding.rate_sum,
        funding.realised_apr,
        funding.realised_apr_7d,
        funding.realised_apr_30d,
        funding.days_covered_7d,
        funding.days_covered_30d,
        funding.share_at_baseline,
        funding.share_negative,
        funding.share_at_cap,
        funding.negative_settlements,
        open_interest.oi_usd,
        funding_by_asset.oi_weighted_apr,
        funding_by_asset.oi_weighted_apr_7d,
        funding_by_asset.oi_weighted_apr_30d,
        funding_by_asset.weighting,
        funding.settlements_expected,
        funding.is_complete_day
    from funding
    left join open_interest
        on funding.date = open_interest.date
        and funding.venue = open_interest.venue
        and funding.base_asset = open_interest.base_asset
        and open_interest.kind = 'perp'
    left join funding_by_asset
        on funding.date = funding_by_asset.date
        and funding.base_asset = funding_by_asset.base_asset

)

select * from final
