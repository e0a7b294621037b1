{#- Fails on rows where the column is outside [min_value, max_value] (nulls pass).
    inclusive=false makes both bounds strict. -#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}

with

validation as (

    select {{ column_name }} as value
    from {{ model }}
    where {{ column_name }} is not null

),

errors as (

    select *
    from validation
    where false
    {%- if min_value is not none %}
        or value {{ "<" if inclusive else "<=" }} {{ min_value }}
    {%- endif %}
    {%- if max_value is not none %}
        or value {{ ">" if inclusive else ">=" }} {{ max_value }}
    {%- endif %}

)

select * from errors

{% endtest %}
