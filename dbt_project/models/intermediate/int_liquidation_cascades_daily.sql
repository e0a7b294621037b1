{#- The cascade rule, per UTC day and base asset (docs/methodology.md, "Liquidations"): a day is a
    cascade when its long liquidations are extreme against their own trailing distribution while
    perpetual open interest falls.
      x_d        = ln(1 + long liquidation notional of day d, USD, summed over venues)
      mean, sd   = mean and sample standard deviation of x over the previous
                   var('liquidation_cascade_window_days') days (30), day d excluded
      z_d        = (x_d - mean) / sd, when at least var('liquidation_cascade_min_days') (14)
                   of those days are known
      is_extreme = z_d >= var('liquidation_cascade_z_daily') (3.0) and the day is at least
                   var('liquidation_cascade_min_multiple') (3) times the trailing geometric
                   mean, x_d - mean >= ln(3): in a calm market the trailing sd is small and
                   a z of 3 alone is a 1.5x day, not a cascade
      is_cascade = is_extreme and perp OI(d) < perp OI(d - 1)
      long_share_of_oi_7d = the sum of long_share_of_oi (the day's long notional / perp OI at
                   the previous close) over the trailing 7 days d-6..d, when all 7 are known:
                   the fragility index's stress component `liquidations` (a cascade week is
                   a high share; a week with an unknown day is unknown, not a smaller sum)
    Unknown inputs (no venue covered, too little history, no OI) give null, never false.
    Incremental: a build rewrites the days from its window start on. The trailing window and
    the OI lag count rows (days of the grid), so it reads the last max(window, 7) grid days
    before the window start as context: every rewritten day then sees the same 30 previous
    days, and each of the 7 days its long_share_of_oi_7d sums has its previous close. -#}
{{ config(materialized='incremental', unique_key=['date', 'base_asset']) }}
{%- set window_start = incremental_window_start('date') %}
{%- set window = var('liquidation_cascade_window_days', 30) %}
{%- set min_days = var('liquidation_cascade_min_days', 14) %}
{%- set threshold = var('liquidation_cascade_z_daily', 3.0) %}
{%- set min_multiple = var('liquidation_cascade_min_multiple', 3.0) %}
{%- set context_rows = [window, 7] | max %}
with

{%- if window_start is not none %}
context as (

    {#- The first grid day this build reads: context_rows days before the window start. -#}
    select coalesce(min(date), cast('{{ window_start }}' as date)) as first_date
    from (
        select distinct date from {{ ref('int_liquidations_venue_daily') }}
        where date < cast('{{ window_start }}' as date)
        order by date desc
        limit {{ context_rows }}
    )

),
{%- endif %}

liquidations as (

    select * from {{ ref('int_liquidations_venue_daily') }}
    {%- if window_start is not none %}
    where date >= (select first_date from context)
    {%- endif %}

),

open_interest as (

    select
        date,
        base_asset,
        sum(oi_usd) as oi_usd
    from {{ ref('int_open_interest_exchange_daily') }}
    where kind = 'perp'
    {%- if window_start is not none %}
        and date >= (select first_date from context)
    {%- endif %}
    group by date, base_asset

),

asset_days as (

    select
        date,
        base_asset,
        sum(notional_usd) filter (where side = 'long') as long_notional_usd,
        sum(notional_usd) filter (where side = 'short') as short_notional_usd,
        cast(count(distinct venue) filter (where events is not null) as integer) as venues_known,
        bool_or(is_lower_bound) as is_lower_bound
    from liquidations
    group by date, base_asset

),

scored as (

    select
        asset_days.*,
        open_interest.oi_usd,
        lag(open_interest.oi_usd) over day_order as oi_usd_previous,
        ln(1 + asset_days.long_notional_usd) as log_long,
        avg(ln(1 + asset_days.long_notional_usd)) over trailing_window as trailing_mean,
        stddev_samp(ln(1 + asset_days.long_notional_usd)) over trailing_window as trailing_sd,
        count(asset_days.long_notional_usd) over trailing_window as trailing_days
    from asset_days
    left join open_interest
        on asset_days.date = open_interest.date
        and asset_days.base_asset = open_interest.base_asset
    window
        day_order as (partition by asset_days.base_asset order by asset_days.date),
        trailing_window as (
            partition by asset_days.base_asset order by asset_days.date
            rows between {{ window }} preceding and 1 preceding
        )

),

flagged as (

    select
        *,
        case
            when trailing_days >= {{ min_days }} and trailing_sd > 0
                then (log_long - trailing_mean) / trailing_sd
        end as z_score,
        {{ pct_change('oi_usd', 'oi_usd_previous') }} as oi_change_pct,
        log_long - trailing_mean >= ln({{ min_multiple }}) as is_large,
        {{ safe_divide('long_notional_usd', 'oi_usd_previous') }} as long_share
    from scored

),

trailing_week as (

    select
        *,
        sum(long_share) over trailing_7d as long_share_7d,
        count(long_share) over trailing_7d as long_share_days
    from flagged
    window trailing_7d as (
        partition by base_asset
        order by date
        range between interval 6 days preceding and current row
    )

),

final as (

    select
        date,
        base_asset,
        long_notional_usd,
        short_notional_usd,
        venues_known,
        is_lower_bound,
        {{ round_metric('long_share') }} as long_share_of_oi,
        cast(trailing_days as integer) as trailing_days,
        {{ round_metric('z_score', 6) }} as z_score,
        {{ round_metric('oi_change_pct') }} as oi_change_pct,
        case when z_score is not null then z_score >= {{ threshold }} and is_large end
            as is_extreme,
        case
            when z_score is null or oi_change_pct is null then null
            else z_score >= {{ threshold }} and is_large and oi_change_pct < 0
        end as is_cascade,
        {{ round_metric('case when long_share_days = 7 then long_share_7d end') }}
            as long_share_of_oi_7d
    from trailing_week
    {{ rows_from('date', window_start) }}

)

select * from final
