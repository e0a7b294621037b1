{{ config(unique_key=['venue', 'symbol', 'snapshot_at']) }}
with

source as (

    {{ raw_dataset('open_interest', 'snapshot_at') }}

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

    {{ dedupe_on_grain('renamed', 'source, oi_usd nulls last, oi_base nulls last, oi_contracts nulls last') }}

)

select * from final
