{#-
    The two history reads of the pruning features (models/marts/pruning/
    fct_graphlet_features.sql, docs/semantics.md section 7), written once: a decision at time T may read
    only what was known strictly before T.
-#}

{#- The last row of the time-ordered CTE `history` known strictly before each row of CTE
    `base`, as a select: `base.<id>` and the select expressions `columns`.
      at          the column of `base` with the decision time (a row of `history` at
                  exactly that time is not known yet);
      history_at  the column of `history` with the time a row became known;
      keys        {column of base: column of history} to match on (the pipeline).
    A base row with no earlier history row is left out (the callers left-join the result
    and read a missing row as "nothing known yet"). -#}
{% macro pruning_last_known_before(
    base,
    at,
    history,
    history_at,
    columns,
    keys={'pipeline_id': 'pipeline_id'},
    id='graphlet_id'
) -%}
    select
        {{ base }}.{{ id }},
        {{ columns | join(',\n        ') }}
    from {{ base }}
    asof inner join {{ history }}
        on
        {%- for base_key, history_key in keys.items() %}
        {{ base }}.{{ base_key }} = {{ history }}.{{ history_key }} and
        {%- endfor %}
        {{ base }}.{{ at }} > {{ history }}.{{ history_at }}
{%- endmacro %}

{#- The window frame of the "recent" rates: the current row and the var
    `pruning_recent_outcomes` - 1 rows before it. -#}
{% macro pruning_recent_rows() -%}
    rows between {{ var('pruning_recent_outcomes', 5) - 1 }} preceding and current row
{%- endmacro %}
