{#-
    The raw tables on Spark (docs/spark.md): an on-run-start hook that declares every source
    of schema `raw` an external Parquet table `raw.<table>` at $GRAPHLETS_SPARK_RAW/<table>
    (written by `graphlets build --target spark`, graphlets/build/spark_raw.py). Each table
    is dropped (only its definition: the files stay) and declared again, so a new export's
    columns and files are what the build reads. Nothing on DuckDB, where the loaders write
    the raw schema itself.
-#}
{% macro graphlets_register_raw() -%}
    {{ return(adapter.dispatch('graphlets_register_raw', 'graphlets')()) }}
{%- endmacro %}

{% macro default__graphlets_register_raw() -%}
{%- endmacro %}

{% macro spark__graphlets_register_raw() -%}
    {%- if execute -%}
        {%- set raw = env_var('GRAPHLETS_SPARK_RAW', '') | trim -%}
        {%- if not raw -%}
            {{ exceptions.raise_compiler_error(
                'GRAPHLETS_SPARK_RAW is not set: the directory of the raw tables as Parquet '
                ~ '(graphlets build --target spark exports them; docs/spark.md)') }}
        {%- endif -%}
        {%- do run_query('create database if not exists raw') -%}
        {%- for node in graph.sources.values() if node.source_name == 'raw' -%}
            {%- set location = raw.rstrip('/') ~ '/' ~ node.identifier -%}
            {%- do run_query('drop table if exists raw.' ~ node.identifier) -%}
            {%- do run_query(
                'create table raw.' ~ node.identifier ~ " using parquet location '"
                ~ location | replace("'", "\\'") ~ "'") -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
