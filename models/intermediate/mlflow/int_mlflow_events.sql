{#- Every read and write of an MLflow source (docs/mlflow.md section 3.2), by the loader's keys:
    `execution_key_id` a run's (or a model version's registration, section 3.3), `artifact_key_id`
    a dataset's, a logged model's, a run's verdict (its ModelBlessing), a model version's
    model (registered from a run without a logged model) or the version itself. Dataset
    inputs with context `output` are the run's outputs; reads happen at the run's start,
    writes at its end. -#}
with

runs as (
    select * from {{ ref('int_mlflow_runs') }}
),

versions as (
    select * from {{ ref('int_mlflow_model_versions') }}
),

inputs as (
    select * from {{ ref('stg_mlflow__inputs') }}
),

input_tags as (
    select * from {{ ref('stg_mlflow__input_tags') }}
),

logged_models as (
    select * from {{ ref('stg_mlflow__logged_models') }}
),

keys as (
    select * from {{ ref('stg_mlflow__keys') }}
),

contexts as (
    select source_id, input_uuid, any_value(value) as context
    from input_tags
    where name = 'mlflow.data.context'
    group by source_id, input_uuid
),

dataset_edges as (
    select
        inputs.source_id,
        inputs.to_id as run_uuid,
        keys.key_id as artifact_key_id,
        case when contexts.context = 'output' then 'output' else 'input' end as direction,
        contexts.context as event_key,
    from inputs
    inner join keys
        on inputs.source_id = keys.source_id
        and keys.entity = 'dataset'
        and inputs.from_id = keys.entity_key
    left join contexts
        on inputs.source_id = contexts.source_id
        and inputs.input_uuid = contexts.input_uuid
    where inputs.from_type = 'DATASET' and inputs.to_type = 'RUN'
),

model_edges as (
    select
        inputs.source_id,
        inputs.from_id as run_uuid,
        inputs.to_id as model_id,
        case inputs.from_type when 'RUN_INPUT' then 'input' else 'output' end as direction,
    from inputs
    where (inputs.from_type = 'RUN_INPUT' and inputs.to_type = 'MODEL_INPUT')
        or (inputs.from_type = 'RUN_OUTPUT' and inputs.to_type = 'MODEL_OUTPUT')
    union
    select source_id, source_run_id, model_id, 'output'
    from logged_models
    where source_run_id is not null
),

run_edges as (
    select source_id, run_uuid, artifact_key_id, direction, event_key
    from dataset_edges
    union all
    select model_edges.source_id, model_edges.run_uuid, keys.key_id, model_edges.direction,
        'model'
    from model_edges
    inner join keys
        on model_edges.source_id = keys.source_id
        and keys.entity = 'logged_model'
        and model_edges.model_id = keys.entity_key
    union all
    -- A run's verdict is its own ModelBlessing artifact (keyed by the run's key).
    select source_id, run_uuid, key_id, 'output', 'blessing'
    from runs
    where blessed is not null
    union all
    -- A version registered from a run, without a logged model: the run's model.
    select source_id, run_uuid, version_model_key_id, 'output', 'model'
    from versions
    where model_id is null and run_uuid is not null
),

run_events as (
    select
        run_edges.source_id,
        runs.key_id as execution_key_id,
        run_edges.artifact_key_id,
        run_edges.direction,
        run_edges.event_key,
        case run_edges.direction
            when 'input' then coalesce(runs.started_at, runs.ended_at)
            else coalesce(runs.ended_at, runs.started_at)
        end as event_at,
    from run_edges
    inner join runs
        on run_edges.source_id = runs.source_id
        and run_edges.run_uuid = runs.run_uuid
),

registration_events as (
    select
        versions.source_id,
        versions.key_id as execution_key_id,
        coalesce(model_keys.key_id, versions.version_model_key_id) as artifact_key_id,
        'input' as direction,
        'model' as event_key,
        versions.created_at as event_at,
    from versions
    left join keys as model_keys
        on versions.source_id = model_keys.source_id
        and model_keys.entity = 'logged_model'
        and versions.model_id = model_keys.entity_key
    where versions.model_id is not null or versions.run_uuid is not null
    union all
    select source_id, key_id, key_id, 'output', 'model_version', created_at
    from versions
),

final as (
    select distinct * from run_events
    union all
    select * from registration_events
)

select * from final
