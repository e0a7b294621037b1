{#- Landed (staged) rows per UTC day, venue, symbol and exchange dataset: the "found" side of
    the coverage mart. Days follow the staging contracts: funding by settlement day, hourly and
    daily series by their own day, end-of-day snapshots (open interest, dated futures) by the
    day they close.
    Incremental: a build recounts the days from its window start on (snapshots from the day
    before, as a snapshot at 00:00 counts for the previous day). -#}
{{ config(materialized='incremental', unique_key='date') }}
{%- set window_start = incremental_window_start('date') %}
with

funding as (

    select 'funding_rates' as dataset, venue, symbol, base_asset,
        {{ utc_date('funding_ts') }} as date
    from {{ ref('stg_funding_rates') }}
    {{ rows_from('funding_ts', window_start) }}

),

premium as (

    select 'premium_index' as dataset, venue, symbol, base_asset,
        {{ utc_date('hour_at') }} as date
    from {{ ref('stg_premium_index') }}
    {{ rows_from('hour_at', window_start) }}

),

candles as (

    select 'ohlcv_daily' as dataset, venue, symbol, base_asset,
        {{ utc_date('candle_at') }} as date
    from {{ ref('stg_ohlcv_daily') }}
    {{ rows_from('candle_at', window_start) }}

),

open_interest as (

    select 'open_interest' as dataset, venue, symbol, base_asset,
        {{ snapshot_date('snapshot_at') }} as date
    from {{ ref('stg_open_interest') }}
    {{ rows_from('snapshot_at', window_start, context_days=1) }}

),

long_short as (

    select 'long_short_ratio' as dataset, venue, symbol, base_asset,
        {{ utc_date('observed_at') }} as date
    from {{ ref('stg_long_short_ratio') }}
    {{ rows_from('observed_at', window_start) }}

),

dated as (

    select 'dated_futures' as dataset, venue, symbol, base_asset,
        {{ snapshot_date('observed_at') }} as date
    from {{ ref('stg_dated_futures') }}
    {{ rows_from('observed_at', window_start, context_days=1) }}

),

unioned as (

    select * from funding
    union all select * from premium
    union all select * from candles
    union all select * from open_interest
    union all select * from long_short
    union all select * from dated

),

final as (

    select date, venue, base_asset, symbol, dataset, cast(count(*) as bigint) as "rows"
    from unioned
    {{ rows_from('date', window_start) }}
    group by date, venue, base_asset, symbol, dataset

)

select * from final
