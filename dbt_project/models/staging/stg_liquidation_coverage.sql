{{ config(unique_key=['venue', 'hour_at']) }}
with

source as (

    {{ raw_dataset('liquidation_coverage', 'hour_at') }}

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

    {{ dedupe_on_grain(
        'renamed',
        'seconds_connected desc nulls last, source, events desc nulls last, '
        ~ 'messages desc nulls last, capture, rejected nulls last, reconnects nulls last'
    ) }}

)

select * from final
