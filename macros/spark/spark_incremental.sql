{#-
    Incremental models on Spark (docs/spark.md): plain Parquet tables have no `delete` and no
    `merge`, so on Spark every incremental model is rebuilt whole, as a table, on every
    build: is_incremental() is false there (the refresh-set filters and the pre-hook
    deletes of macros/graphlets_incremental.sql render nothing), and the incremental
    materialization is the table one. Same rows as DuckDB's incremental build, which
    tests/test_incremental.py proves equal to a full one. DuckDB keeps dbt's own.
-#}
{% macro is_incremental() -%}
    {{ return(adapter.dispatch('is_incremental', 'graphlets')()) }}
{%- endmacro %}

{% macro default__is_incremental() -%}
    {{ return(dbt.is_incremental()) }}
{%- endmacro %}

{% macro spark__is_incremental() -%}
    {{ return(false) }}
{%- endmacro %}

{% materialization incremental, adapter='spark' -%}
    {{ return(materialization_table_spark()) }}
{%- endmaterialization %}
