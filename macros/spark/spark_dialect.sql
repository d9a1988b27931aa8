{#-
    Spark SQL reads the models' DuckDB-isms that have no other home (docs/spark.md): every
    model's compiled SQL passes through graphlets_spark_sql before dbt-spark creates its
    table or view. It only rewrites what is spelled differently and means the same:
      - a trailing comma before `from` (DuckDB accepts `select a, b, from t`);
      - the type name `varchar` (Spark's is `string`).
    Everything that differs in meaning is a dispatched macro of its own (macros/).
-#}
{% macro graphlets_spark_sql(sql) -%}
    {%- set sql = modules.re.sub('(?i),(\\s*(--[^\\n]*\\n\\s*)*)\\bfrom\\b', '\\1from', sql) -%}
    {%- set sql = modules.re.sub('(?i)\\bvarchar\\b', 'string', sql) -%}
    {{- return(sql) -}}
{%- endmacro %}

{% macro spark__create_table_as(temporary, relation, compiled_code, language='sql') -%}
    {%- if language == 'sql' -%}
        {%- set compiled_code = graphlets_spark_sql(compiled_code) -%}
    {%- endif -%}
    {{ return(dbt.spark__create_table_as(temporary, relation, compiled_code, language)) }}
{%- endmacro %}

{% macro spark__create_view_as(relation, sql) -%}
    {{ return(dbt.spark__create_view_as(relation, graphlets_spark_sql(sql))) }}
{%- endmacro %}
