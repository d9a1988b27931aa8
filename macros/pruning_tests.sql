{#- Generic test: every row satisfies `expression` (a SQL boolean over the model's columns;
    NULL counts as satisfied, as in a CHECK constraint). Used by the pruning models for
    bounds and "strictly before the decision" checks. -#}
{% test pruning_expression_is_true(model, expression, column_name=none) %}
    select *
    from {{ model }}
    where not coalesce({{ expression }}, true)
{% endtest %}
