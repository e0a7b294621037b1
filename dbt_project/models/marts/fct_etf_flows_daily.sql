{#- US spot ETF net flows per US trading day and base asset: the sum over tickers that reported
    (null when none has), how many reported and how many are still missing, and the running sum
    since the first row (a day with no report adds nothing). -#}
with

flows as (

    select * from {{ ref('stg_etf_flows') }}

),

daily as (

    select
        flow_date,
        base_asset,
        sum(flow_usd_m) filter (where is_reported and flow_usd_m is not null) as net_flow_usd_m,
        count(*) filter (where is_reported and flow_usd_m is not null) as tickers_reported,
        count(*) filter (where not is_reported or flow_usd_m is null) as tickers_missing
    from flows
    group by flow_date, base_asset

),

final as (

    select
        flow_date as date,
        base_asset,
        {{ round_metric('net_flow_usd_m', 6) }} as net_flow_usd_m,
        cast(tickers_reported as integer) as tickers_reported,
        cast(tickers_missing as integer) as tickers_missing,
        {{ round_metric(
            'sum(coalesce(net_flow_usd_m, 0)) over (partition by base_asset order by flow_date)', 6
        ) }} as cumulative_flow_usd_m
    from daily

)

select * from final
