{#- The fct_arbitrage_share contract table; its logic and documentation live in int_arbitrage_share_daily (the
    intermediate layer), so the fragility models can read it without reading a mart. -#}
select * from {{ ref('int_arbitrage_share_daily') }}
