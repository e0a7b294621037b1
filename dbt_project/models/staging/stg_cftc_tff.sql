{{ config(unique_key=['cftc_contract_market_code', 'report_date']) }}
with

source as (

    {{ raw_dataset('cftc_tff', 'report_date') }}

),

renamed as (

    select
        cast(source as varchar) as source,
        cast(report_date as date) as report_date,
        cast(release_date as date) as release_date,
        cast(cftc_contract_market_code as varchar) as cftc_contract_market_code,
        cast(market_name as varchar) as market_name,
        upper(cast(base_asset as varchar)) as base_asset,
        cast(contract_units as double) as contract_units,
        cast(open_interest_all as double) as open_interest_all,
        cast(lev_money_long as double) as lev_money_long,
        cast(lev_money_short as double) as lev_money_short,
        cast(asset_mgr_long as double) as asset_mgr_long,
        cast(asset_mgr_short as double) as asset_mgr_short,
        cast(dealer_long as double) as dealer_long,
        cast(dealer_short as double) as dealer_short
    from source
    where cftc_contract_market_code is not null
        and report_date is not null

),

final as (

    {{ dedupe_on_grain('renamed', 'release_date desc nulls last, source, open_interest_all') }}

)

select * from final
