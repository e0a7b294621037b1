{#- The fct_market_daily contract table: its logic and documentation live in int_market_daily
    (the intermediate layer, so the fragility models can read it without reading a mart); this
    mart adds venues_missing, the configured venue-datasets feeding its sums and means that are
    not complete that day (fct_data_coverage_daily): '' when all are, null when coverage is
    unknown for the day. -#}
with

market as (

    select * from {{ ref('int_market_daily') }}

),

coverage as (

    select
        date,
        base_asset,
        coalesce(
            string_agg(venue || ' ' || dataset, ', ' order by venue, dataset)
                filter (where not is_complete),
            ''
        ) as venues_missing
    from {{ ref('fct_data_coverage_daily') }}
    where dataset in ('ohlcv_daily', 'open_interest', 'long_short_ratio')
    group by date, base_asset

),

final as (

    select
        market.*,
        coverage.venues_missing
    from market
    left join coverage
        on market.date = coverage.date
        and market.base_asset = coverage.base_asset

)

select * from final
