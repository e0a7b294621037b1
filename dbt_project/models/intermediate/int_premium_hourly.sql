{#- Perpetual premium per venue, symbol and hour: (mark - index) / index when both prices are
    known (the venue's own mark against its own spot index, not perp close vs spot close), else
    the venue's published premium index (Binance premiumIndexKlines, imported); an hour with
    neither has no row (unknown, not zero). -#}
{{ config(materialized='incremental', unique_key=['venue', 'symbol', 'hour_at']) }}
{%- set window_start = incremental_window_start('hour_at') %}
with

premium_index as (

    select * from {{ ref('stg_premium_index') }}
    {{ rows_from('hour_at', window_start) }}

),

with_premium as (

    select
        *,
        case
            when mark_price is not null and index_price is not null
                then {{ round_metric(safe_divide('mark_price - index_price', 'index_price')) }}
            else {{ round_metric('premium') }}
        end as premium_value,
        case
            when mark_price is not null and index_price is not null then 'mark_index'
            when premium is not null then 'venue_premium_index'
        end as premium_source
    from premium_index

),

final as (

    select
        venue,
        symbol,
        base_asset,
        hour_at,
        {{ utc_date('hour_at') }} as premium_date,
        mark_price,
        index_price,
        premium_source,
        premium_value as premium,
        premium_value < 0 as is_discount
    from with_premium
    where premium_value is not null

)

select * from final
