{#- One row per MLflow run whose experiment the store has (docs/mlflow.md section 3.1), with
    its key (raw.mlflow_keys), state, pipeline and the convention's tags: `graphlets.pipeline`
    names the pipeline (else the experiment's name), `graphlets.role` the role, and
    `graphlets.blessed` (or the metric of that name, 1 or 0) an evaluation's verdict. -#}
with

runs as (
    select * from {{ ref('stg_mlflow__runs') }}
),

experiments as (
    select * from {{ ref('stg_mlflow__experiments') }}
),

tags as (
    select * from {{ ref('stg_mlflow__tags') }}
),

metrics as (
    select * from {{ ref('stg_mlflow__latest_metrics') }}
),

keys as (
    select * from {{ ref('stg_mlflow__keys') }}
    where entity = 'run'
),

convention as (
    select
        source_id,
        run_uuid,
        any_value(value) filter (where key = 'graphlets.pipeline') as pipeline_tag,
        any_value(value) filter (where key = 'graphlets.role') as role_tag,
        any_value(value) filter (where key = 'graphlets.blessed') as blessed_tag,
    from tags
    group by source_id, run_uuid
),

blessed_metrics as (
    select source_id, run_uuid, value as blessed_metric
    from metrics
    where key = 'graphlets.blessed' and not coalesce(is_nan, false)
),

final as (
    select
        runs.source_id,
        runs.run_uuid,
        keys.key_id,
        runs.run_name,
        experiments.name as experiment_name,
        coalesce(convention.pipeline_tag, experiments.name) as pipeline_name,
        case runs.status
            when 'FINISHED' then 'COMPLETE'
            when 'FAILED' then 'FAILED'
            when 'KILLED' then 'CANCELED'
            when 'RUNNING' then 'RUNNING'
            when 'SCHEDULED' then 'NEW'
            else 'UNKNOWN'
        end as state,
        runs.started_at,
        runs.ended_at,
        runs.entry_point_name,
        runs.source_name,
        convention.role_tag,
        case
            when lower(trim(convention.blessed_tag)) in ('true', '1') then true
            when lower(trim(convention.blessed_tag)) in ('false', '0') then false
            when blessed_metrics.blessed_metric = 1 then true
            when blessed_metrics.blessed_metric = 0 then false
        end as blessed,
    from runs
    inner join experiments
        on runs.source_id = experiments.source_id
        and runs.experiment_id = experiments.experiment_id
    inner join keys
        on runs.source_id = keys.source_id
        and runs.run_uuid = keys.entity_key
    left join convention
        on runs.source_id = convention.source_id
        and runs.run_uuid = convention.run_uuid
    left join blessed_metrics
        on runs.source_id = blessed_metrics.source_id
        and runs.run_uuid = blessed_metrics.run_uuid
    where runs.lifecycle_stage is distinct from 'deleted'
)

select * from final
