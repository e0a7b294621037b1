{#- Basis per UTC day, venue and symbol. Perpetuals: daily mean premium (mark - index) / index
    over the hourly rows, hours at a discount, hours observed. Dated futures (and CME where a
    price source lands them): F / S - 1 at the daily close and its annualisation, null within
    7 days of expiry.
    Incremental: a build rewrites whole days from its window start on (unique_key date). -#}
{{ config(materialized='incremental', unique_key='date') }}
{%- set window_start = incremental_window_start('date') %}
with

perp as (

    select * from {{ ref('int_basis_perp_daily') }}
    {{ rows_from('date', window_start) }}

),

dated as (

    select * from {{ ref('int_basis_dated_daily') }}
    {{ rows_from('date', window_start) }}

),

perp_rows as (

    select
        date,
        venue,
        symbol,
        base_asset,
        'perp' as kind,
        cast(null as date) as expiry_date,
        cast(null as double) as days_to_expiry,
        premium_mean as premium_or_basis,
        cast(null as double) as annualized_basis,
        discount_hours,
        hours_observed
    from perp

),

dated_rows as (

    select
        date,
        venue,
        symbol,
        base_asset,
        kind,
        expiry_date,
        days_to_expiry,
        premium_or_basis,
        annualized_basis,
        cast(null as integer) as discount_hours,
        cast(null as integer) as hours_observed
    from dated

),

final as (

    select * from perp_rows
    union all
    select * from dated_rows

)

select * from final
