{#- Neutral carry versus the USD hurdle per UTC day and base asset, and the unwind condition.
    ETH (and any asset other than BTC): 7-day OI-weighted realised funding + staking yield
    - hurdle. BTC: 30-day constant-maturity dated-futures basis - hurdle (the ETF basis trade).
    Rates by date: the hurdle is the latest raw.rates usd_tbill_3m value on or before the day
    and at most rates_max_staleness_days old, else hurdle_apr_default (hurdle_source =
    'default', a stated fallback for a back-test without a rates history). Staking (ETH) is the
    latest <asset>_staking_apr value at most staking_max_staleness_days old; without one,
    staking_apr_default from staking_liquid_from (the Shapella upgrade, 2023-04-12, when staked
    ETH became withdrawable) and 0 before it (staking_source says which).
    Unwind condition: carry <= 0, or 7-day funding < 0, or a perp discount: the 7-day
    OI-weighted premium below zero AND below its own trailing-365-day perp_discount_quantile
    (needs premium_history_min_days of history). Missing is unknown: each flag is null when its
    input is, and the condition is null when no flag is true and one is unknown (SQL
    three-valued `or`). -#}
with

funding as (

    select * from {{ ref('int_funding_asset_daily') }}

),

term as (

    select * from {{ ref('int_basis_term_daily') }}

),

premium as (

    select * from {{ ref('int_perp_premium_asset_daily') }}

),

rates as (

    select * from {{ ref('stg_rates') }}

),

hurdle_rates as (

    select rate_date, value from rates where series = 'usd_tbill_3m'

),

staking_rates as (

    select
        upper(replace(series, '_staking_apr', '')) as base_asset,
        rate_date,
        value
    from rates
    where ends_with(series, '_staking_apr')

),

premium_history as (

    select
        date,
        base_asset,
        premium_7d,
        quantile_cont(premium_7d, {{ var('perp_discount_quantile') }}) over trailing_365d
            as premium_7d_low,
        count(premium_7d) over trailing_365d as premium_history_days
    from premium
    window trailing_365d as (
        partition by base_asset
        order by date
        range between interval 364 days preceding and current row
    )

),

spine as (

    select date, base_asset from funding
    union
    select date, base_asset from term
    union
    select date, base_asset from premium

),

with_rates as (

    select
        spine.date,
        spine.base_asset,
        case
            when spine.date - hurdle_rates.rate_date <= {{ var('rates_max_staleness_days') }}
                then hurdle_rates.value
        end as hurdle_value,
        case
            when spine.date - staking_rates.rate_date <= {{ var('staking_max_staleness_days') }}
                then staking_rates.value
        end as staking_value
    from spine
    asof left join hurdle_rates
        on spine.date >= hurdle_rates.rate_date
    asof left join staking_rates
        on spine.base_asset = staking_rates.base_asset
        and spine.date >= staking_rates.rate_date

),

joined as (

    select
        with_rates.date,
        with_rates.base_asset,
        funding.oi_weighted_apr_7d as funding_apr_7d,
        case
            when with_rates.staking_value is not null then with_rates.staking_value
            when with_rates.base_asset <> 'ETH' then 0.0
            when with_rates.date >= cast('{{ var('staking_liquid_from') }}' as date)
                then {{ var('staking_apr_default') }}
            else 0.0
        end as staking_apr,
        case
            when with_rates.staking_value is not null then 'rates'
            when with_rates.base_asset <> 'ETH' then 'none'
            when with_rates.date >= cast('{{ var('staking_liquid_from') }}' as date)
                then 'default'
            else 'none: before withdrawals'
        end as staking_source,
        coalesce(with_rates.hurdle_value, {{ var('hurdle_apr_default') }}) as hurdle_apr,
        case
            when with_rates.hurdle_value is null then 'default'
            else 'rates'
        end as hurdle_source,
        term.basis_cm30_apr,
        premium.premium_7d,
        case
            when premium.premium_history_days >= {{ var('premium_history_min_days') }}
                then premium.premium_7d_low
        end as premium_7d_low
    from with_rates
    left join funding
        on with_rates.date = funding.date
        and with_rates.base_asset = funding.base_asset
    left join term
        on with_rates.date = term.date
        and with_rates.base_asset = term.base_asset
    left join premium_history as premium
        on with_rates.date = premium.date
        and with_rates.base_asset = premium.base_asset

),

carry as (

    select
        *,
        case
            when base_asset = 'BTC' then basis_cm30_apr - hurdle_apr
            else funding_apr_7d + staking_apr - hurdle_apr
        end as carry_apr
    from joined

),

flags as (

    select
        *,
        carry_apr <= 0 as is_carry_below_hurdle,
        funding_apr_7d < 0 as is_funding_negative,
        premium_7d < 0 and premium_7d < premium_7d_low as is_perp_discount
    from carry

),

final as (

    select
        date,
        base_asset,
        funding_apr_7d,
        cast(staking_apr as double) as staking_apr,
        cast(hurdle_apr as double) as hurdle_apr,
        hurdle_source,
        staking_source,
        basis_cm30_apr,
        {{ round_metric('carry_apr') }} as carry_apr,
        premium_7d,
        {{ round_metric('premium_7d_low') }} as premium_7d_low,
        is_carry_below_hurdle,
        is_funding_negative,
        is_perp_discount,
        is_carry_below_hurdle or is_funding_negative or is_perp_discount as is_unwind_condition,
        concat_ws(
            ', ',
            case when is_carry_below_hurdle then 'carry below hurdle' end,
            case when is_funding_negative then 'negative funding' end,
            case when is_perp_discount then 'perp discount' end
        ) as unwind_reason
    from flags

)

select * from final
