{{ config(unique_key=['venue', 'hour_at']) }}
{%- set window_start = incremental_window_start('hour_at') %}
with

source as (

    select * from {{ source('raw', 'liquidation_coverage') }}
    {{ raw_partitions_from(window_start) }}

),

renamed as (

    select
        cast(source as varchar) as source,
        lower(cast(venue as varchar)) as venue,
        cast(hour_ts as timestamp with time zone) as hour_at,
        lower(cast(capture as varchar)) as capture,
        least(greatest(cast(seconds_connected as double), 0), 3600) as seconds_connected,
        cast(messages as bigint) as messages,
        cast(events as bigint) as events,
        cast(rejected as bigint) as rejected,
        cast(reconnects as bigint) as reconnects
    from source
    where venue is not null
        and hour_ts is not null

),

final as (

    select * from renamed
    qualify row_number() over (
        partition by venue, hour_at order by seconds_connected desc, source
    ) = 1

)

select * from final
