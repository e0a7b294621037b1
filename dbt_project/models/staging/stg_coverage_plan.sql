{{ config(materialized='table') }}
{#- What the configured venues and symbols should land per UTC day (written by Python from
    orchestration/lib/universe.py and the venue capabilities before every landing and build). -#}
with

source as (

    select * from {{ source('raw', 'coverage_plan') }}

),

renamed as (

    select
        lower(cast(venue as varchar)) as venue,
        cast(symbol as varchar) as symbol,
        upper(cast(base_asset as varchar)) as base_asset,
        cast(dataset as varchar) as dataset,
        cast(rows_per_day as bigint) as rows_per_day
    from source
    where venue is not null
        and base_asset is not null
        and dataset is not null

),

final as (

    select distinct * from renamed

)

select * from final
