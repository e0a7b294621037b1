{#- One row per funding settlement (venue, symbol, funding_ts) with its interval, annualised
    rate, the venue's baseline scaled to the interval and the excess over it. The rows are
    int_funding_settlements' (where the formulas and their unit tests live): this mart is a
    view naming the contract's columns (docs/marts.md), so a settlement is not stored once
    more, and it follows that incremental table on every build with no window of its own. -#}
{{ config(materialized='view') }}
with

settlements as (

    select * from {{ ref('int_funding_settlements') }}

),

final as (

    select
        venue,
        symbol,
        base_asset,
        source,
        funding_ts,
        funding_date,
        rate,
        interval_hours,
        interval_source,
        apr_simple,
        apy_compounded,
        baseline_rate,
        excess_rate,
        cap_rate,
        is_at_baseline,
        is_negative,
        is_at_cap
    from settlements

)

select * from final
