{{ config(materialized='table') }}
{#- The live source's outcome record (small: one row per day, venue and dataset), rebuilt
    whole each build, so no incremental window. -#}
with

source as (

    select * from {{ source('raw', 'live_outcomes') }}

),

renamed as (

    select
        cast(day as date) as date,
        lower(cast(venue as varchar)) as venue,
        cast(dataset as varchar) as dataset,
        cast(status as varchar) as status,
        cast("rows" as bigint) as "rows",
        cast(expected as bigint) as expected,
        cast(found as bigint) as found,
        cast(rejected as bigint) as rejected,
        coalesce(cast(message as varchar), '') as message
    from source
    where day is not null
        and venue is not null
        and dataset is not null
        and status is not null

),

final as (

    select * from renamed
    qualify row_number() over (
        partition by date, venue, dataset
        order by status, message
    ) = 1

)

select * from final
