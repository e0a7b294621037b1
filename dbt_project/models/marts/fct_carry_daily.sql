{#- Neutral carry versus the USD hurdle per UTC day and base asset, and the unwind condition.
    ETH (and any asset other than BTC): 7-day OI-weighted realised funding + staking yield
    - hurdle. BTC: 30-day constant-maturity dated-futures basis - hurdle (the ETF basis trade).
    Rates take the latest raw.rates value on or before the day, else the configured default.
    Unwind condition: carry <= 0, or 7-day funding < 0, or the 7-day OI-weighted perp premium
    (mark vs index) below -perp_discount_threshold. -#}
with

funding as (

    select * from {{ ref('int_funding_asset_daily') }}

),

term as (

    select * from {{ ref('fct_basis_term_daily') }}

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

    select rate_date, value from rates where series = 'eth_staking_apr'

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
        hurdle_rates.value as hurdle_value,
        staking_rates.value as staking_value
    from spine
    asof left join hurdle_rates
        on spine.date >= hurdle_rates.rate_date
    asof left join staking_rates
        on spine.date >= staking_rates.rate_date

),

joined as (

    select
        with_rates.date,
        with_rates.base_asset,
        funding.oi_weighted_apr_7d as funding_apr_7d,
        case
            when with_rates.base_asset = 'ETH'
                then coalesce(with_rates.staking_value, {{ var('staking_apr_default') }})
            else 0.0
        end as staking_apr,
        coalesce(with_rates.hurdle_value, {{ var('hurdle_apr_default') }}) as hurdle_apr,
        case
            when with_rates.hurdle_value is null then 'default'
            else 'rates'
        end as hurdle_source,
        term.basis_cm30_apr,
        premium.premium_7d
    from with_rates
    left join funding
        on with_rates.date = funding.date
        and with_rates.base_asset = funding.base_asset
    left join term
        on with_rates.date = term.date
        and with_rates.base_asset = term.base_asset
    left join premium
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
        coalesce(carry_apr <= 0, false) as is_carry_below_hurdle,
        coalesce(funding_apr_7d < 0, false) as is_funding_negative,
        coalesce(premium_7d < -{{ var('perp_discount_threshold') }}, false) as is_perp_discount
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
        basis_cm30_apr,
        {{ round_metric('carry_apr') }} as carry_apr,
        premium_7d,
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
