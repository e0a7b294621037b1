{#- The fct_carry_daily contract table; its logic and documentation live in int_carry_daily (the
    intermediate layer), so the fragility models can read it without reading a mart. -#}
select * from {{ ref('int_carry_daily') }}
