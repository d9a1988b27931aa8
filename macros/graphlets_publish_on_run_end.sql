{#- dbt's on-run-end hook: publish the snapshot after a `dbt build` or `dbt run` in which
    every node succeeded, as `graphlets build` does (graphlets/build/dbt_publish.py registers
    the function). `graphlets build` publishes by itself and turns the hook off with var
    graphlets_publish_on_run_end = false. -#}
{% macro graphlets_publish_on_run_end(results) %}
    {%- if execute
        and flags.WHICH in ('build', 'run')
        and var('graphlets_publish_on_run_end', true)
        and target.type == 'duckdb'
        and results | length > 0
        and results | selectattr('status', 'in', ['error', 'fail', 'skipped', 'runtime error']) | list | length == 0 -%}
        select graphlets_publish_snapshot()
    {%- else -%}
        select 1
    {%- endif -%}
{% endmacro %}
