{#- What followed each week of the index: the spot close's forward return and maximum drawdown
    over 1, 2 and 4 weeks from the week-end close, next to the week's index and regime. Day 0 is
    the week's Sunday (week_end), the day the week's index is known. Drawdown = the deepest fall
    of the close below its running peak since day 0 (day 0 included), <= 0. A window with a
    missing daily spot close is null: a shorter window would flatter or hide a fall. -#}
{%- set horizons = [1, 2, 4] %}
with

weekly as (

    select * from {{ ref('fct_fragility_weekly') }}

),

prices as (

    select * from {{ ref('int_market_prices_daily') }}

),

spot as (

    select
        date as price_date,
        base_asset,
        reference_price_usd as spot_close
    from prices
    where price_source = 'spot'
        and reference_price_usd is not null

),

paths as (

    select
        weekly.iso_week,
        weekly.base_asset,
        spot.price_date,
        spot.spot_close,
        cast(spot.price_date - weekly.week_end as integer) as day_offset
    from weekly
    inner join spot
        on spot.base_asset = weekly.base_asset
        and spot.price_date between weekly.week_end and weekly.week_end + {{ 7 * horizons[-1] }}

),

running as (

    select
        *,
        max(spot_close) over (
            partition by iso_week, base_asset
            order by price_date
            rows between unbounded preceding and current row
        ) as running_peak
    from paths

),

by_week as (

    select
        iso_week,
        base_asset,
        max(spot_close) filter (where day_offset = 0) as close_0,
        {%- for h in horizons %}
        count(*) filter (where day_offset <= {{ 7 * h }}) as days_{{ h }}w,
        max(spot_close) filter (where day_offset = {{ 7 * h }}) as close_{{ h }}w,
        min(spot_close / running_peak - 1) filter (where day_offset <= {{ 7 * h }}) as drawdown_{{ h }}w{{ "," if not loop.last }}
        {%- endfor %}
    from running
    group by iso_week, base_asset

),

final as (

    select
        weekly.iso_week,
        weekly.week_end,
        weekly.base_asset,
        weekly.fragility_index,
        weekly.buildup_index,
        weekly.stress_index,
        weekly.regime,
        by_week.close_0 as spot_close,
        {%- for h in horizons %}
        case
            when by_week.close_0 is not null and by_week.days_{{ h }}w = {{ 7 * h + 1 }}
                then {{ round_metric('by_week.close_' ~ h ~ 'w / by_week.close_0 - 1', 10) }}
        end as forward_return_{{ h }}w,
        {%- endfor %}
        {%- for h in horizons %}
        case
            when by_week.close_0 is not null and by_week.days_{{ h }}w = {{ 7 * h + 1 }}
                then {{ round_metric('by_week.drawdown_' ~ h ~ 'w', 10) }}
        end as forward_max_drawdown_{{ h }}w{{ "," if not loop.last }}
        {%- endfor %}
    from weekly
    left join by_week
        on weekly.iso_week = by_week.iso_week
        and weekly.base_asset = by_week.base_asset

)

select * from final
