{#- The fct_liquidation_cascades_hourly contract: its logic and documentation live in int_liquidation_cascades_hourly
    (the intermediate layer, so the fragility models can read it without reading a mart).
    A view, so its rows are stored once (in the intermediate table). -#}
{{ config(materialized='view') }}
with

final as (

    select * from {{ ref('int_liquidation_cascades_hourly') }}

)

select * from final
