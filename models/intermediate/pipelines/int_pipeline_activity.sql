{#- One row per pipeline: how long it lived, on how many days it ran, how many models it
    trained and how often a trained model was pushed (joined into dim_pipelines).
    Reads the rows the public marts are built from (fct_executions: the canonical
    executions; fct_graphlets: the anchors with their outcomes), so that these columns
    agree with the public tables; it cannot read the marts, since a mart reads it. -#}
with

executions as (
    select * from {{ ref('int_executions') }}
),

anchors as (
    select * from {{ ref('int_graphlet_anchors') }}
),

outcomes as (
    select * from {{ ref('int_graphlet_outcomes') }}
),

graphlets as (
    select anchors.pipeline_id, outcomes.outcome, outcomes.is_pushed
    from anchors
    inner join outcomes
        on anchors.graphlet_id = outcomes.graphlet_id
),

-- Activity is any known execution start or end.
activity_times as (
    select pipeline_id, started_at as activity_at
    from executions
    where started_at is not null
    union all
    select pipeline_id, ended_at as activity_at
    from executions
    where ended_at is not null
),

pipeline_spans as (
    select
        pipeline_id,
        min(activity_at) as first_activity_at,
        max(activity_at) as last_activity_at,
    from activity_times
    group by pipeline_id
),

-- A day (UTC) is active when at least one of the pipeline's executions started on it.
pipeline_days as (
    select
        pipeline_id,
        count(distinct cast(started_at as date)) as active_days,
    from executions
    where started_at is not null
    group by pipeline_id
),

pipelines as (
    select pipeline_id, any_value(source_id) as source_id
    from executions
    group by pipeline_id
),

pipeline_models as (
    select
        pipeline_id,
        count(*) as n_graphlets,
        count(*) filter (where outcome <> 'training_failed') as n_models_trained,
        count(*) filter (
            where outcome not in ('training_failed', 'pending')
        ) as n_models_judged,
        count(*) filter (where is_pushed) as n_pushed,
    from graphlets
    group by pipeline_id
),

final as (
    select
        pipelines.pipeline_id,
        pipelines.source_id,
        pipeline_spans.first_activity_at,
        pipeline_spans.last_activity_at,
        {{ graphlets_seconds_between(
            'pipeline_spans.first_activity_at', 'pipeline_spans.last_activity_at'
        ) }} / 86400.0
            as lifespan_days,
        coalesce(pipeline_days.active_days, 0) as active_days,
        coalesce(pipeline_models.n_graphlets, 0) as n_graphlets,
        coalesce(pipeline_models.n_models_trained, 0) as n_models_trained,
        coalesce(pipeline_models.n_models_judged, 0) as n_models_judged,
        coalesce(pipeline_models.n_pushed, 0) as n_pushed,
        -- Pushed models over trained models whose outcome is final: a model still
        -- `pending` has not had its chance yet, a failed training produced no model.
        pipeline_models.n_pushed / nullif(pipeline_models.n_models_judged, 0) as push_rate,
    from pipelines
    left join pipeline_spans
        on pipelines.pipeline_id = pipeline_spans.pipeline_id
    left join pipeline_days
        on pipelines.pipeline_id = pipeline_days.pipeline_id
    left join pipeline_models
        on pipelines.pipeline_id = pipeline_models.pipeline_id
)

select * from final
