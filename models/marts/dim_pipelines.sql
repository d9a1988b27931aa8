{#- One row per pipeline (per source): activity span, graphlets, pushes, and cost split by
    waste class (docs/semantics.md section 5). Costs are summed over the pipeline's own executions;
    `wasted_cost` is the cost of its `wasted` executions, which equals the sum of its
    graphlets' `wasted_cost` whenever its graphlets have no members in other pipelines. -#}
with

executions as (
    select * from {{ ref('int_executions') }}
),

execution_waste as (
    select * from {{ ref('int_graphlet_execution_waste') }}
),

outcomes as (
    select * from {{ ref('int_graphlet_outcomes') }}
),

anchors as (
    select * from {{ ref('int_graphlet_anchors') }}
),

pipeline_activity as (
    select * from {{ ref('int_pipeline_activity') }}
),

activity as (
    select
        executions.pipeline_id,
        any_value(executions.source_id) as source_id,
        any_value(executions.pipeline_name) as pipeline_name,
        least(min(executions.started_at), min(executions.ended_at)) as first_activity_at,
        greatest(max(executions.started_at), max(executions.ended_at)) as last_activity_at,
        count(*) as n_executions,
        sum(execution_waste.cost) as total_cost,
        sum(execution_waste.cost) filter (where execution_waste.waste_class = 'productive')
            as productive_cost,
        sum(execution_waste.cost) filter (where execution_waste.waste_class = 'wasted')
            as wasted_cost,
        sum(execution_waste.cost) filter (where execution_waste.waste_class = 'pending')
            as pending_cost,
        sum(execution_waste.cost) filter (where execution_waste.waste_class = 'orphan')
            as orphan_cost
    from executions
    inner join execution_waste
        on executions.execution_id = execution_waste.execution_id
    group by executions.pipeline_id
),

graphlet_counts as (
    select
        anchors.pipeline_id,
        count(*) as n_graphlets,
        count(*) filter (where outcomes.is_pushed) as n_pushed,
        count(*) filter (where outcomes.outcome = 'pending') as n_pending
    from anchors
    inner join outcomes
        on anchors.graphlet_id = outcomes.graphlet_id
    group by anchors.pipeline_id
),

final as (
    select
        activity.pipeline_id,
        activity.source_id,
        activity.pipeline_name,
        activity.first_activity_at,
        activity.last_activity_at,
        pipeline_activity.lifespan_days,
        pipeline_activity.active_days,
        activity.n_executions,
        coalesce(graphlet_counts.n_graphlets, 0) as n_graphlets,
        coalesce(graphlet_counts.n_pushed, 0) as n_pushed,
        coalesce(pipeline_activity.n_models_trained, 0) as n_models_trained,
        pipeline_activity.push_rate,
        coalesce(graphlet_counts.n_pending, 0) as n_pending,
        activity.total_cost,
        coalesce(activity.productive_cost, 0.0) as productive_cost,
        coalesce(activity.wasted_cost, 0.0) as wasted_cost,
        coalesce(activity.pending_cost, 0.0) as pending_cost,
        coalesce(activity.orphan_cost, 0.0) as orphan_cost
    from activity
    left join graphlet_counts
        on activity.pipeline_id = graphlet_counts.pipeline_id
    left join pipeline_activity
        on activity.pipeline_id = pipeline_activity.pipeline_id
)

select * from final
