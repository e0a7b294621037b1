-- The configured fragility weights (var fragility_weights) sum to 1 and are all positive.
-- Attached to the mart the weights score (a Dagster asset check on it, not an orphan test):
-- depends_on: {{ ref('fct_fragility_weekly') }}
with

weights as (

    {{ fragility_weights_values() }}

),

errors as (

    select
        sum(weight) as total_weight,
        min(weight) as min_weight
    from weights
    having abs(sum(weight) - 1.0) > 1e-9
        or min(weight) <= 0

)

select * from errors
