{#- Perpetual premium per venue, symbol and hour: (mark - index) / index. Price pair: the venue's
    own mark price against its own spot index (not perp close vs spot close). -#}
{{ config(materialized='incremental', unique_key=['venue', 'symbol', 'hour_at']) }}
{%- set window_start = incremental_window_start('hour_at') %}
with

premium_index as (

    select * from {{ ref('stg_premium_index') }}
    {{ rows_from('hour_at', window_start) }}

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
        {{ round_metric(safe_divide('mark_price - index_price', 'index_price')) }} as premium,
        mark_price < index_price as is_discount
    from premium_index
    where mark_price is not null
        and index_price is not null

)

select * from final
