-- A complete funding day has at least the settlements a full day holds, and the 7/30-day
-- coverage counts complete days only (never more than the window's complete days).
with

daily as (

    select * from {{ ref('fct_funding_daily') }}

),

windows as (

    select
        *,
        count(*) filter (where is_complete_day) over (
            partition by venue, base_asset
            order by date
            range between interval 6 days preceding and current row
        ) as complete_days_7d
    from daily

),

errors as (

    select * from windows
    where (is_complete_day and settlements < settlements_expected)
        or days_covered_7d <> complete_days_7d

)

select * from errors
