{#- Completeness as data: one row per UTC day, configured venue, base asset and exchange
    dataset, saying whether what the configuration expects (stg_coverage_plan) landed. A gap
    is a row (status missing / partial / failed / not available), never an absent row.
    Days: from each dataset's first landed (or recorded) day to the newest day anything
    landed. Where the live source left an outcome record, its status and message explain a
    shortfall; where none exists (simulated market, imports) the status is derived from the
    landed rows alone. -#}
with

plan as (

    select * from {{ ref('stg_coverage_plan') }}

),

landed as (

    select * from {{ ref('int_landed_rows_daily') }}

),

outcomes as (

    select * from {{ ref('stg_live_outcomes') }}

),

observed_days as (

    select dataset, date from landed
    union all
    select dataset, date from outcomes

),

dataset_span as (

    select dataset, min(date) as first_date
    from observed_days
    group by dataset

),

calendar as (

    select
        span.dataset,
        cast(unnest(generate_series(
            span.first_date, newest.last_date, interval 1 day
        )) as date) as date
    from dataset_span as span
    cross join (select max(date) as last_date from observed_days) as newest

),

landed_by_asset as (

    select date, venue, base_asset, dataset, sum("rows") as "rows"
    from landed
    group by date, venue, base_asset, dataset

),

per_series as (

    -- one row per expected series (a symbol, or "any contract" when symbol is null) and day
    select
        calendar.date,
        plan.venue,
        plan.base_asset,
        plan.dataset,
        plan.symbol,
        plan.rows_per_day,
        coalesce(
            case when plan.symbol is null then by_asset."rows" else by_symbol."rows" end, 0
        ) as "rows"
    from calendar
    inner join plan on plan.dataset = calendar.dataset
    left join landed as by_symbol
        on by_symbol.date = calendar.date
        and by_symbol.venue = plan.venue
        and by_symbol.dataset = plan.dataset
        and by_symbol.symbol = plan.symbol
    left join landed_by_asset as by_asset
        on by_asset.date = calendar.date
        and by_asset.venue = plan.venue
        and by_asset.base_asset = plan.base_asset
        and by_asset.dataset = plan.dataset

),

derived as (

    select
        date,
        venue,
        base_asset,
        dataset,
        cast(sum("rows") as bigint) as "rows",
        case
            when count(rows_per_day) = count(*) then cast(sum(rows_per_day) as bigint)
        end as expected,
        count(*) filter (where "rows" < coalesce(rows_per_day, 1)) as series_short,
        string_agg(
            coalesce(symbol, base_asset || ' dated futures') || ' '
            || "rows" || '/' || coalesce(cast(rows_per_day as varchar), '1+'),
            ', ' order by symbol
        ) filter (where "rows" < coalesce(rows_per_day, 1)) as shortfall
    from per_series
    group by date, venue, base_asset, dataset

),

judged as (

    select
        *,
        case
            when series_short = 0 then 'ok'
            when "rows" = 0 then 'missing'
            else 'partial'
        end as derived_status
    from derived

),

final as (

    select
        judged.date,
        judged.venue,
        judged.base_asset,
        judged.dataset,
        case
            when judged.derived_status = 'ok' then 'ok'
            when outcomes.status in ('failed', 'partial', 'not available') then outcomes.status
            else judged.derived_status
        end as status,
        judged."rows",
        judged.expected,
        case
            when judged.derived_status = 'ok' then ''
            when outcomes.status in ('failed', 'partial', 'not available')
                and outcomes.message <> '' then outcomes.message
            when judged.derived_status = 'missing' then 'no rows landed'
            else 'short: ' || judged.shortfall
        end as message,
        judged.derived_status = 'ok' as is_complete
    from judged
    left join outcomes
        on outcomes.date = judged.date
        and outcomes.venue = judged.venue
        and outcomes.dataset = judged.dataset

)

select * from final
