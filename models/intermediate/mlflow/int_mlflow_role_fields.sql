{#- The MLflow source's role fields (docs/semantics.md section 1.4; docs/mlflow.md section
    3.4): `run_name`, `experiment_name`, `entry_point`, every run tag as `tag:<key>`,
    `outputs_model` / `reads_model` (`true` when the run logged / read a model), `entity`
    (`run`, or `model_version` for a registration); and `graphlets_role` from the run's
    `graphlets.role` tag, which overrides the rules. -#}
{{ config(materialized='view') }}
with

executions as (
    select * from {{ ref('int_mlflow_graph_executions') }}
),

runs as (
    select * from {{ ref('int_mlflow_runs') }}
),

tags as (
    select * from {{ ref('stg_mlflow__tags') }}
),

events as (
    select * from {{ ref('int_mlflow_events') }}
),

artifacts as (
    select * from {{ ref('int_mlflow_graph_artifacts') }}
),

run_executions as (
    select executions.execution_id, runs.*
    from runs
    inner join executions
        on runs.source_id = executions.source_id
        and runs.run_uuid = executions.source_execution_key
        and executions.type_name <> 'mlflow.ModelVersion'
),

model_events as (
    select events.source_id, events.execution_key_id, events.direction
    from events
    inner join artifacts
        on events.source_id = artifacts.source_id
        and events.artifact_key_id = artifacts.source_artifact_id
    where artifacts.type_name = 'Model'
),

fields as (
    select execution_id, 'run_name' as field, run_name as value from run_executions
    union all
    select execution_id, 'experiment_name', experiment_name from run_executions
    union all
    select execution_id, 'entry_point', entry_point_name from run_executions
    union all
    select execution_id, 'graphlets_role', role_tag from run_executions
    union all
    select execution_id, 'entity', 'run' from run_executions
    union all
    select run_executions.execution_id, 'tag:' || tags.key, tags.value
    from run_executions
    inner join tags
        on run_executions.source_id = tags.source_id
        and run_executions.run_uuid = tags.run_uuid
    union all
    select distinct run_executions.execution_id,
        case model_events.direction when 'output' then 'outputs_model' else 'reads_model' end,
        'true'
    from run_executions
    inner join model_events
        on run_executions.source_id = model_events.source_id
        and run_executions.key_id = model_events.execution_key_id
    union all
    select execution_id, 'entity', 'model_version'
    from executions
    where type_name = 'mlflow.ModelVersion'
),

final as (
    select execution_id, 'mlflow' as source_kind, field, value
    from fields
    where value is not null
)

select * from final
