-- unwind_reason is empty exactly when the unwind condition does not hold.
with

carry as (

    select * from {{ ref('fct_carry_daily') }}

),

errors as (

    select * from carry
    where is_unwind_condition <> (unwind_reason <> '')

)

select * from errors
