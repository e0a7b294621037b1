{#- Dated futures at the daily close: raw basis F / S - 1 and, for contracts at least 7 days
    from expiry, the annualised basis (F / S - 1) * 365 / days_to_expiry. days_to_expiry is
    fractional (close at 00:00 UTC, expiry usually 08:00 UTC). Venue `cme` is kind 'cme'. -#}
with

dated_futures as (

    select * from {{ ref('stg_dated_futures') }}

),

dated as (

    select
        *,
        {{ snapshot_date('observed_at') }} as basis_date,
        {{ utc_date('expires_at') }} as expiry_date,
        {{ round_metric(days_between('observed_at', 'expires_at'), 6) }} as days_to_expiry,
        {{ safe_divide('future_price', 'index_price') }} - 1.0 as basis
    from dated_futures
    where future_price is not null
        and index_price is not null
        and expires_at is not null

),

daily_close as (

    {#- several snapshots of one contract on one day: the latest is the close -#}
    select * from dated
    qualify row_number() over (
        partition by venue, symbol, basis_date
        order by observed_at desc
    ) = 1

),

final as (

    select
        basis_date as date,
        venue,
        symbol,
        base_asset,
        case when venue = 'cme' then 'cme' else 'dated' end as kind,
        expiry_date,
        days_to_expiry,
        {{ round_metric('basis') }} as premium_or_basis,
        case
            when days_to_expiry >= 7
                then {{ round_metric('basis * 365.0 / days_to_expiry') }}
        end as annualized_basis,
        days_to_expiry >= 7 as is_eligible
    from daily_close

)

select * from final
