{#- The fct_liquidation_cascades_hourly contract table: its logic and documentation live in int_liquidation_cascades_hourly
    (the intermediate layer, so the fragility models can read it without reading a mart). -#}
with

final as (

    select * from {{ ref('int_liquidation_cascades_hourly') }}

)

select * from final
