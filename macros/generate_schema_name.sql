{#- Public schemas have stable names (`marts.fct_graphlets`, not `main_marts`): a
    custom schema is used as is, without the target schema as prefix. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
