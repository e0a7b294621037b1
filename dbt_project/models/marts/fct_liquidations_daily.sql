{#- The fct_liquidations_daily contract: its logic and documentation live in int_liquidations_venue_daily
    (the intermediate layer, so the fragility models can read it without reading a mart).
    A view, so its rows are stored once (in the intermediate table). -#}
{{ config(materialized='view') }}
with

final as (

    select * from {{ ref('int_liquidations_venue_daily') }}

)

select * from final
