{{ config(unique_key=['venue', 'symbol', 'snapshot_at']) }}
{%- set window_start = incremental_window_start('snapshot_at') %}
with

source as (

    select * from {{ source('raw', 'open_interest') }}
    {{ raw_partitions_from(window_start) }}

),

renamed as (

    select
        cast(source as varchar) as source,
        lower(cast(venue as varchar)) as venue,
        cast(symbol as varchar) as symbol,
        upper(cast(base_asset as varchar)) as base_asset,
        lower(cast(kind as varchar)) as kind,
        cast(ts as timestamp with time zone) as snapshot_at,
        cast(oi_contracts as double) as oi_contracts,
        cast(oi_base as double) as oi_base,
        cast(oi_usd as double) as oi_usd
    from source
    where venue is not null
        and symbol is not null
        and ts is not null

),

final as (

    select * from renamed
    qualify row_number() over (
        partition by venue, symbol, snapshot_at
        order by source, oi_usd nulls last, oi_base nulls last, oi_contracts nulls last
    ) = 1

)

select * from final
