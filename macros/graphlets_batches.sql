{#-
    Batched builds: a walk's recursive CTE keeps every row it produced in memory (DuckDB
    cannot spill it), so a table whose rows come from one walk per anchor is built in
    var `graphlets_walk_batches` statements, each walking a slice of the anchors. The
    rows of one walk all land in one slice, so per-walk aggregates stay exact.

    A batched model
      - filters its walk seeds with `graphlets_batch_filter(column)`, which renders
        slice 0 (so the compiled SQL is runnable on its own), and
      - sets `post_hook=graphlets_batch_hooks()`: one `insert into {{ this }}` per other
        slice, re-running the model's own compiled SQL with the slice number changed.
    The statements run in the model's transaction, so the table is swapped in whole.

    Measured on the paper-scale corpus (475,000 trainers, 32M upstream memberships):
    one statement needs 7.3 GB, eight statements finish under memory_limit 3GB.
-#}
{#- How many slices: var `graphlets_walk_batches` on DuckDB; one on Spark, which spills a
    recursive CTE's rows to disk (docs/spark.md). -#}
{% macro graphlets_batch_count() -%}
    {{ return(adapter.dispatch('graphlets_batch_count', 'graphlets')()) }}
{%- endmacro %}

{% macro default__graphlets_batch_count() -%}
    {{ return(var('graphlets_walk_batches', 8) | int) }}
{%- endmacro %}

{% macro spark__graphlets_batch_count() -%}
    {{ return(1) }}
{%- endmacro %}

{% macro graphlets_batch_filter(column) -%}
    {%- set n_batches = graphlets_batch_count() -%}
    {%- if n_batches > 1 -%}
        {{ column }} % {{ n_batches }} = 0 /* graphlets_batch */
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{% macro graphlets_batch_hooks() -%}
    {%- set n_batches = graphlets_batch_count() -%}
    {%- set hooks = [] -%}
    {%- for batch in range(1, n_batches) -%}
        {%- do hooks.append(
            "insert into {{ this }} {{ graphlets_batch_sql(model.compiled_code, "
            ~ batch ~ ") }}"
        ) -%}
    {%- endfor -%}
    {{ return(hooks) }}
{%- endmacro %}

{% macro graphlets_batch_sql(compiled_code, batch) -%}
    {%- set marker = '= 0 /* graphlets_batch */' -%}
    {%- if not execute or not compiled_code -%}
        {#- parsing: dbt renders hooks before any code is compiled -#}
        {{ return('') }}
    {%- elif marker not in compiled_code -%}
        {{ exceptions.raise_compiler_error(
            'graphlets_batch_hooks() needs graphlets_batch_filter() in the model') }}
    {%- endif -%}
    {{ return(compiled_code | replace(marker, '= ' ~ batch ~ ' /* graphlets_batch */')) }}
{%- endmacro %}
