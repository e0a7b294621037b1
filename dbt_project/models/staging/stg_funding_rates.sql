{{ config(unique_key=['venue', 'symbol', 'funding_ts']) }}
with

source as (

    {{ raw_dataset('funding_rates', 'funding_ts') }}

),

renamed as (

    select
        cast(source as varchar) as source,
        lower(cast(venue as varchar)) as venue,
        cast(symbol as varchar) as symbol,
        upper(cast(base_asset as varchar)) as base_asset,
        cast(funding_ts as timestamp with time zone) as funding_ts,
        cast(rate as double) as rate,
        cast(interval_hours as double) as reported_interval_hours
    from source
    where venue is not null
        and symbol is not null
        and funding_ts is not null
        and rate is not null

),

final as (

    {{ dedupe_on_grain('renamed', 'source, rate, reported_interval_hours nulls last') }}

)

select * from final
