{#- Funding per UTC day, venue and base asset: the day's rate sum (symbols of one venue+asset
    averaged), settlement shares, and realised carry over 1, 7 and 30 days:
    sum(daily rate sums in the window) * 365 / days covered (= / 7 or / 30 with full coverage),
    null when fewer than min_days_covered_* days have data. -#}
with

settlements as (

    select * from {{ ref('int_funding_settlements') }}

),

by_symbol as (

    select
        funding_date,
        venue,
        base_asset,
        symbol,
        sum(rate) as rate_sum,
        count(*) as settlements,
        count(*) filter (where is_at_baseline) as at_baseline_settlements,
        count(*) filter (where is_negative) as negative_settlements,
        count(*) filter (where is_at_cap) as at_cap_settlements
    from settlements
    group by funding_date, venue, base_asset, symbol

),

by_venue as (

    select
        funding_date,
        venue,
        base_asset,
        count(*) as symbols,
        avg(rate_sum) as rate_sum,
        sum(settlements) as settlements,
        sum(at_baseline_settlements) as at_baseline_settlements,
        sum(negative_settlements) as negative_settlements,
        sum(at_cap_settlements) as at_cap_settlements
    from by_symbol
    group by funding_date, venue, base_asset

),

rolling as (

    select
        *,
        sum(rate_sum) over trailing_7d as rate_sum_7d,
        count(*) over trailing_7d as days_covered_7d,
        sum(rate_sum) over trailing_30d as rate_sum_30d,
        count(*) over trailing_30d as days_covered_30d
    from by_venue
    window
        trailing_7d as (
            partition by venue, base_asset
            order by funding_date
            range between interval 6 days preceding and current row
        ),
        trailing_30d as (
            partition by venue, base_asset
            order by funding_date
            range between interval 29 days preceding and current row
        )

),

final as (

    select
        funding_date as date,
        venue,
        base_asset,
        cast(symbols as integer) as symbols,
        cast(settlements as integer) as settlements,
        cast(negative_settlements as integer) as negative_settlements,
        {{ round_metric('rate_sum') }} as rate_sum,
        {{ round_metric(realised_apr('rate_sum', 1)) }} as realised_apr,
        case
            when days_covered_7d >= {{ var('min_days_covered_7d') }}
                then {{ round_metric(realised_apr('rate_sum_7d', 'days_covered_7d')) }}
        end as realised_apr_7d,
        case
            when days_covered_30d >= {{ var('min_days_covered_30d') }}
                then {{ round_metric(realised_apr('rate_sum_30d', 'days_covered_30d')) }}
        end as realised_apr_30d,
        cast(days_covered_7d as integer) as days_covered_7d,
        cast(days_covered_30d as integer) as days_covered_30d,
        {{ round_metric(safe_divide('at_baseline_settlements', 'settlements')) }} as share_at_baseline,
        {{ round_metric(safe_divide('negative_settlements', 'settlements')) }} as share_negative,
        {{ round_metric(safe_divide('at_cap_settlements', 'settlements')) }} as share_at_cap
    from rolling

)

select * from final
