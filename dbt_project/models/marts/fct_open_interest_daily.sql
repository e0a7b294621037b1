{#- The fct_open_interest_daily contract table; its logic and documentation live in int_open_interest_daily (the
    intermediate layer), so the fragility models can read it without reading a mart. -#}
select * from {{ ref('int_open_interest_daily') }}
