-- An incomplete week keeps its row but is not scored: no index, no side index, no component
-- score, regime 'incomplete week'; a complete week never carries that label.
{%- set components = fragility_components() %}
with

weekly as (

    select * from {{ ref('fct_fragility_weekly') }}

),

errors as (

    select * from weekly
    where complete_days_in_week > days_in_week
        or is_complete_week <> (complete_days_in_week = 7)
        or (is_complete_week and regime = 'incomplete week')
        or (
            not is_complete_week
            and (
                regime <> 'incomplete week'
                or fragility_index is not null
                or buildup_index is not null
                or stress_index is not null
                or components_present <> 0
                {%- for component in components %}
                or {{ component }}_score is not null
                {%- endfor %}
            )
        )

)

select * from errors
