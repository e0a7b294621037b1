{{ config(unique_key=['flow_date', 'ticker']) }}
with

source as (

    {{ raw_dataset('etf_flows', 'flow_date') }}

),

renamed as (

    select
        cast(source as varchar) as source,
        cast(date as date) as flow_date,
        upper(cast(base_asset as varchar)) as base_asset,
        upper(cast(ticker as varchar)) as ticker,
        cast(flow_usd_m as double) as flow_usd_m,
        coalesce(cast(is_reported as boolean), false) as is_reported
    from source
    where date is not null
        and ticker is not null

),

final as (

    {{ dedupe_on_grain('renamed', 'is_reported desc, source, flow_usd_m nulls last') }}

)

select * from final
