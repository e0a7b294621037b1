with

source as (

    select * from {{ ref('venue_funding_rules') }}

),

renamed as (

    select
        lower(cast(venue as varchar)) as venue,
        cast(symbol as varchar) as symbol,
        upper(cast(base_asset as varchar)) as base_asset,
        lower(cast(contract_type as varchar)) as contract_type,
        cast(default_interval_hours as double) as default_interval_hours,
        cast(baseline_rate_8h as double) as baseline_rate_8h,
        cast(cap_rate as double) as cap_rate,
        cast(notes as varchar) as notes
    from source

),

final as (

    select * from renamed

)

select * from final
