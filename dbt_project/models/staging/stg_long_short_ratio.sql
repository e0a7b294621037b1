{{ config(unique_key=['venue', 'symbol', 'observed_at']) }}
{%- set window_start = incremental_window_start('observed_at') %}
with

source as (

    select * from {{ source('raw', 'long_short_ratio') }}
    {{ raw_partitions_from(window_start) }}

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

    select * from renamed
    qualify row_number() over (
        partition by venue, symbol, observed_at
        order by source, long_short_ratio nulls last, long_account_share nulls last
    ) = 1

)

select * from final
