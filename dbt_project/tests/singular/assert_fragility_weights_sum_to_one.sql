-- The configured fragility weights (var fragility_weights) sum to 1 on each side, the side
-- weights (var fragility_side_weights) sum to 1, and every weight is positive.
-- Attached to the mart the weights score (a Dagster asset check on it, not an orphan test):
-- depends_on: {{ ref('fct_fragility_weekly') }}
with

weights as (

    {{ fragility_weights_values() }}

),

sides as (

    select distinct side, side_weight from weights

),

errors as (

    select side, sum(weight) as total_weight, min(weight) as min_weight
    from weights
    group by side
    having abs(sum(weight) - 1.0) > 1e-9
        or min(weight) <= 0
    union all
    select 'sides', sum(side_weight), min(side_weight)
    from sides
    having abs(sum(side_weight) - 1.0) > 1e-9
        or min(side_weight) <= 0

)

select * from errors
