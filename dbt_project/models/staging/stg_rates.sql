{{ config(unique_key=['rate_date', 'series']) }}
with

source as (

    {{ raw_dataset('rates', 'rate_date') }}

),

renamed as (

    select
        cast(source as varchar) as source,
        cast(date as date) as rate_date,
        lower(cast(series as varchar)) as series,
        cast(value as double) as value,
        coalesce(cast(is_filled as boolean), false) as is_filled
    from source
    where date is not null
        and series is not null
        and value is not null

),

final as (

    {{ dedupe_on_grain('renamed', 'is_filled, source, value') }}

)

select * from final
