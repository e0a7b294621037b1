{#- Constant-maturity annualised basis per UTC day and base asset at 30 and 90 days. Eligible
    dated contracts (>= 7 days to expiry) are pooled across venues by expiry date (mean basis,
    mean days to expiry); the 30 d / 90 d value interpolates linearly in days_to_expiry between
    the nearest expiry on each side, or takes the nearest contract flat when the target lies
    outside the listed range (flagged as extrapolated). -#}
with

dated as (

    select * from {{ ref('int_basis_dated_daily') }}

),

eligible as (

    select * from dated
    where is_eligible
        and annualized_basis is not null

),

pooled as (

    select
        date,
        base_asset,
        expiry_date,
        avg(days_to_expiry) as days_to_expiry,
        avg(annualized_basis) as annualized_basis,
        count(*) as contracts
    from eligible
    group by date, base_asset, expiry_date

),

brackets as (

    select
        date,
        base_asset,
        sum(contracts) as contracts_used,
        max(days_to_expiry) filter (where days_to_expiry <= 30) as lo30_days,
        arg_max(annualized_basis, days_to_expiry) filter (where days_to_expiry <= 30) as lo30_basis,
        min(days_to_expiry) filter (where days_to_expiry >= 30) as hi30_days,
        arg_min(annualized_basis, days_to_expiry) filter (where days_to_expiry >= 30) as hi30_basis,
        max(days_to_expiry) filter (where days_to_expiry <= 90) as lo90_days,
        arg_max(annualized_basis, days_to_expiry) filter (where days_to_expiry <= 90) as lo90_basis,
        min(days_to_expiry) filter (where days_to_expiry >= 90) as hi90_days,
        arg_min(annualized_basis, days_to_expiry) filter (where days_to_expiry >= 90) as hi90_basis
    from pooled
    group by date, base_asset

),

final as (

    select
        date,
        base_asset,
        {{ round_metric(
            'case when lo30_days is not null and hi30_days is not null then '
            ~ linear_interpolate(30, 'lo30_days', 'lo30_basis', 'hi30_days', 'hi30_basis')
            ~ ' else coalesce(lo30_basis, hi30_basis) end'
        ) }} as basis_cm30_apr,
        {{ round_metric(
            'case when lo90_days is not null and hi90_days is not null then '
            ~ linear_interpolate(90, 'lo90_days', 'lo90_basis', 'hi90_days', 'hi90_basis')
            ~ ' else coalesce(lo90_basis, hi90_basis) end'
        ) }} as basis_cm90_apr,
        lo30_days is null or hi30_days is null as is_cm30_extrapolated,
        lo90_days is null or hi90_days is null as is_cm90_extrapolated,
        cast(contracts_used as integer) as contracts_used
    from brackets

)

select * from final
