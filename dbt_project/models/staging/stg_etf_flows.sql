{{ config(unique_key=['flow_date', 'ticker']) }}
{%- set window_start = incremental_window_start('flow_date') %}
with

source as (

    select * from {{ source('raw', 'etf_flows') }}
    {{ raw_partitions_from(window_start) }}

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

    select * from renamed
    qualify row_number() over (
        partition by flow_date, ticker
        order by is_reported desc, source, flow_usd_m nulls last
    ) = 1

)

select * from final
