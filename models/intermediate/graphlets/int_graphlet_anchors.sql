{#- One row per graphlet: every execution of role `train` anchors exactly one (docs/semantics.md
    section 2); `graphlet_id` is the anchor's warehouse key. Carries what the outcome and
    the ownership of downstream executions need to know about the anchor. -#}
with

executions as (
    select * from {{ ref('int_executions') }}
),

events as (
    select * from {{ ref('int_events') }}
),

artifacts as (
    select * from {{ ref('int_artifacts') }}
),

trainers as (
    select *
    from executions
    where role = 'train'
),

-- The model: the output whose event key is `model`, else a `...Model` typed output,
-- else the first output (lowest id).
trainer_models as (
    select
        events.execution_id,
        {{ graphlets_arg_min('events.artifact_id', graphlets_list([
            "case when events.event_key = 'model' then 0 else 1 end",
            "case when artifacts.type_name like '%Model' then 0 else 1 end",
            'events.artifact_id',
        ])) }} as model_artifact_id,
        count(distinct events.artifact_id) as n_output_artifacts
    from events
    inner join trainers
        on events.execution_id = trainers.execution_id
    inner join artifacts
        on events.artifact_id = artifacts.artifact_id
    where events.direction = 'output'
    group by events.execution_id
),

final as (
    select
        trainers.execution_id as graphlet_id,
        trainers.execution_id as trainer_execution_id,
        trainers.source_id,
        trainers.source_execution_id as source_trainer_execution_id,
        trainers.pipeline_id,
        trainers.node_id,
        trainers.state as trainer_state,
        trainers.started_at,
        trainers.ended_at as trained_at,
        trainer_models.model_artifact_id,
        coalesce(trainer_models.n_output_artifacts, 0) as n_output_artifacts,
        -- Ranks anchors for the ownership of downstream executions (docs/semantics.md section 2):
        -- trained last wins; an unknown end ranks lowest; then the highest source id.
        row_number() over (
            partition by trainers.source_id
            order by
                trainers.ended_at asc nulls first,
                trainers.source_execution_id asc,
                trainers.execution_id asc
        ) as training_rank
    from trainers
    left join trainer_models
        on trainers.execution_id = trainer_models.execution_id
)

select * from final
