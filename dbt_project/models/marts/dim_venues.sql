{#- One row per venue configured in the seed venue_funding_rules: its interest baseline, the
    funding rule in words, and which symbols/assets carry per-symbol rules. -#}
with

rules as (

    select * from {{ ref('stg_venue_funding_rules') }}

),

final as (

    select
        venue,
        max(baseline_rate_8h) as baseline_rate_8h,
        {{ round_metric(annualise_simple('max(baseline_rate_8h)', 8)) }} as baseline_apr_simple,
        max(baseline_rate_8h) > 0 as has_interest_baseline,
        max(default_interval_hours) as default_interval_hours,
        string_agg(distinct contract_type, ',' order by contract_type) as contract_types,
        string_agg(distinct base_asset, ',' order by base_asset) as base_assets,
        cast(count(*) as integer) as symbols_configured,
        arg_max(notes, length(notes)) as funding_rule
    from rules
    group by venue

)

select * from final
