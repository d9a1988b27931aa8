{#- The OpenLineage source's executions in the graph contract (docs/semantics.md section 1;
    docs/openlineage.md section 6.1): one per run, pipeline runs (runs other runs name as
    parent or root) left out, as they are containers of steps. `execution_id` is the
    warehouse key of the run's first-appearance number, `source_execution_key` its runId.
    Node: the job name without the `<pipeline>.` prefix (Airflow names a task's job
    `<dag>.<task>`). The cost property is the `graphlets` run facet's `cost`. -#}
{{ config(materialized='view') }}
with

runs as (
    select * from {{ ref('int_openlineage_runs') }}
    where not is_parent_run
),

events as (
    select * from {{ ref('stg_openlineage__events') }}
    where event_kind = 'run'
),

{%- set cost = graphlets_json_at('run_facets', ['graphlets', 'cost']) %}
costs as (
    select
        source_id,
        run_id,
        {{ graphlets_arg_max(cost, 'event_at') }} filter (where ({{ cost }}) is not null)
            as cost_json,
    from events
    group by source_id, run_id
),

final as (
    select
        {{ warehouse_key('runs.source_key', 'runs.source_run_key') }} as execution_id,
        runs.source_id,
        'openlineage' as source_kind,
        runs.source_run_key as source_execution_id,
        runs.run_id as source_execution_key,
        runs.job_namespace || '/' || runs.job_name as execution_name,
        runs.pipeline_name,
        case when runs.has_parent then 1 else 0 end as n_pipeline_contexts,
        case
            when {{ graphlets_starts_with('runs.job_name', "runs.pipeline_name || '.'") }}
                then {{ graphlets_substring_from('runs.job_name', 'length(runs.pipeline_name) + 2') }}
            else runs.job_name
        end as node_id,
        runs.job_name as type_name,
        runs.state,
        runs.started_at,
        runs.ended_at,
        {{ graphlets_epoch('runs.ended_at') }} - {{ graphlets_epoch('runs.started_at') }}
            as recorded_duration_seconds,
        case
            when {{ graphlets_json_is_number('costs.cost_json') }}
                and {{ graphlets_isfinite('cast(costs.cost_json as double)') }}
                then cast(costs.cost_json as double)
        end as cost_property_value,
        costs.cost_json is not null as has_cost_property,
    from runs
    left join costs
        on runs.source_id = costs.source_id
        and runs.run_id = costs.run_id
)

select * from final
