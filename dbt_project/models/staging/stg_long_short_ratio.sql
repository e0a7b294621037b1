{{ config(unique_key=['venue', 'symbol', 'observed_at']) }}
with

source as (

    {{ raw_dataset('long_short_ratio', 'observed_at') }}

),

renamed as (

    select
        cast(source as varchar) as source,
        lower(cast(venue as varchar)) as venue,
        cast(symbol as varchar) as symbol,
        upper(cast(base_asset as varchar)) as base_asset,
        cast(ts as timestamp with time zone) as observed_at,
        cast(long_account_share as double) as long_account_share,
        cast(long_short_ratio as double) as long_short_ratio
    from source
    where venue is not null
        and symbol is not null
        and ts is not null

),

final as (

    {{ dedupe_on_grain('renamed', 'source, long_short_ratio nulls last, long_account_share nulls last') }}

)

select * from final
