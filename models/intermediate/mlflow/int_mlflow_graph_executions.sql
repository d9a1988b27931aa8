{#- The MLflow source's executions in the graph contract (docs/semantics.md section 1;
    docs/mlflow.md section 3): every run, and every model version's registration (type
    `mlflow.ModelVersion`, the registry's act that reads the model and writes the version:
    the push of section 3, role `push`). `source_execution_key` is the run_uuid (a version's
    `<model>/<version>`), `source_execution_id` the loader's key of it. -#}
{{ config(materialized='view') }}
with

runs as (
    select * from {{ ref('int_mlflow_runs') }}
),

versions as (
    select * from {{ ref('int_mlflow_model_versions') }}
),

sources as (
    select * from {{ ref('stg_mlflow__sources') }}
),

executions as (
    select
        source_id,
        key_id,
        run_uuid as source_execution_key,
        run_name as execution_name,
        pipeline_name,
        run_name as node_id,
        coalesce(entry_point_name, 'mlflow.Run') as type_name,
        state,
        started_at,
        ended_at,
    from runs
    union all
    select
        versions.source_id,
        versions.key_id,
        versions.version_key,
        'register ' || versions.version_key,
        runs.pipeline_name,
        'register ' || versions.model_name,
        'mlflow.ModelVersion',
        case versions.status
            when 'READY' then 'COMPLETE'
            when 'FAILED_REGISTRATION' then 'FAILED'
            when 'PENDING_REGISTRATION' then 'RUNNING'
            else 'UNKNOWN'
        end,
        versions.created_at,
        versions.created_at,
    from versions
    left join runs
        on versions.source_id = runs.source_id
        and versions.run_uuid = runs.run_uuid
),

final as (
    select
        {{ warehouse_key('sources.source_key', 'executions.key_id') }} as execution_id,
        executions.source_id,
        'mlflow' as source_kind,
        executions.key_id as source_execution_id,
        executions.source_execution_key,
        executions.execution_name,
        executions.pipeline_name,
        case when executions.pipeline_name is null then 0 else 1 end as n_pipeline_contexts,
        executions.node_id,
        executions.type_name,
        executions.state,
        executions.started_at,
        executions.ended_at,
        {{ graphlets_epoch('executions.ended_at') }} - {{ graphlets_epoch('executions.started_at') }}
            as recorded_duration_seconds,
        cast(null as double) as cost_property_value,
        false as has_cost_property,
    from executions
    inner join sources
        on executions.source_id = sources.source_id
)

select * from final
