{#- Generic tests of the HTML report's tables (models/reports/report/). -#}

{#- Every row satisfies `expression` (a SQL boolean over the model's columns; NULL counts
    as satisfied, as in a CHECK constraint): bounds and orderings of the report's numbers. -#}
{% test report_rows_satisfy(model, expression, column_name=none) %}
    select *
    from {{ model }}
    where not coalesce({{ expression }}, true)
{% endtest %}

{#- The shares in `column_name` add up to 1 over the whole table (skipped when every share
    is NULL: nothing to share). -#}
{% test report_shares_sum_to_one_overall(model, column_name, tolerance=1e-6) %}
    select sum({{ column_name }}) as total_share
    from {{ model }}
    having count({{ column_name }}) > 0
        and abs(sum({{ column_name }}) - 1.0) > {{ tolerance }}
{% endtest %}
