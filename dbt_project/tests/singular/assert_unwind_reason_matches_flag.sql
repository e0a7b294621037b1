-- unwind_reason is empty exactly when the unwind condition does not hold (false or unknown).
with

carry as (

    select * from {{ ref('fct_carry_daily') }}

),

errors as (

    select * from carry
    where coalesce(is_unwind_condition, false) <> (unwind_reason <> '')

)

select * from errors
