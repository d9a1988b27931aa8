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
    and read a missing row as "nothing known yet"). `base.<id>` is unique in `base`, and
    `history` holds one row per (keys, history_at).

    DuckDB: an `asof` join. Spark has none: the history rows strictly before each base row
    (a range join on the keys), the latest kept (`row_number`), the same row. -#}
{% macro pruning_last_known_before(
    base,
    at,
    history,
    history_at,
    columns,
    keys={'pipeline_id': 'pipeline_id'},
    id='graphlet_id'
) -%}
    {{ return(adapter.dispatch('pruning_last_known_before', 'graphlets')(
        base, at, history, history_at, columns, keys, id)) }}
{%- endmacro %}

{% macro default__pruning_last_known_before(base, at, history, history_at, columns, keys, id) -%}
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

{% macro spark__pruning_last_known_before(base, at, history, history_at, columns, keys, id) -%}
    select * except (graphlets_known_rank)
    from (
        select
            {{ base }}.{{ id }},
            {{ columns | join(',\n            ') }},
            row_number() over (
                partition by {{ base }}.{{ id }}
                order by {{ history }}.{{ history_at }} desc
            ) as graphlets_known_rank
        from {{ base }}
        inner join {{ history }}
            on
            {%- for base_key, history_key in keys.items() %}
            {{ base }}.{{ base_key }} = {{ history }}.{{ history_key }} and
            {%- endfor %}
            {{ base }}.{{ at }} > {{ history }}.{{ history_at }}
    ) as known_before
    where graphlets_known_rank = 1
{%- endmacro %}

{#- The window frame of the "recent" rates: the current row and the var
    `pruning_recent_outcomes` - 1 rows before it. -#}
{% macro pruning_recent_rows() -%}
    rows between {{ var('pruning_recent_outcomes', 5) - 1 }} preceding and current row
{%- endmacro %}

{#- The window frame of the rows whose order key (a timestamp) is at most `hours` hours
    before the current row's, and strictly before it. Spark's two bounds must be intervals
    of one type: both in seconds. -#}
{% macro pruning_hours_before_rows(hours) -%}
    {{ return(adapter.dispatch('pruning_hours_before_rows', 'graphlets')(hours)) }}
{%- endmacro %}

{% macro default__pruning_hours_before_rows(hours) -%}
    range between interval {{ hours }} hours preceding and interval 1 microsecond preceding
{%- endmacro %}

{% macro spark__pruning_hours_before_rows(hours) -%}
    range between interval '{{ hours * 3600 }}' second preceding
        and interval '0.000001' second preceding
{%- endmacro %}
