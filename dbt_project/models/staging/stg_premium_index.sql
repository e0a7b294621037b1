{{ config(unique_key=['venue', 'symbol', 'hour_at']) }}
with

source as (

    {{ raw_dataset('premium_index', 'hour_at') }}

),

renamed as (

    select
        cast(source as varchar) as source,
        lower(cast(venue as varchar)) as venue,
        cast(symbol as varchar) as symbol,
        upper(cast(base_asset as varchar)) as base_asset,
        cast(ts as timestamp with time zone) as hour_at,
        cast(mark_price as double) as mark_price,
        cast(index_price as double) as index_price,
        cast(premium as double) as premium
    from source
    where venue is not null
        and symbol is not null
        and ts is not null

),

{#- One hour may have rows from several producers, each with the values it has (the mark,
    index and premium archive imports land one each): each value comes from the first source
    that has it, the sources in name order, so the choice is deterministic. #}
final as (

    select
        string_agg(distinct source, ',' order by source) as source,
        venue,
        symbol,
        min(base_asset) as base_asset,
        hour_at,
        min_by(mark_price, source) filter (where mark_price is not null) as mark_price,
        min_by(index_price, source) filter (where index_price is not null) as index_price,
        min_by(premium, source) filter (where premium is not null) as premium
    from renamed
    group by venue, symbol, hour_at

)

select * from final
