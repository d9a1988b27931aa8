{#- One row for the whole warehouse: the report's headline (pipelines, executions,
    graphlets, models trained and pushed, total and wasted cost, and the two shares). -#}
with

executions as (
    select * from {{ ref('fct_executions') }}
),

graphlets as (
    select * from {{ ref('fct_graphlets') }}
),

execution_totals as (
    select
        count(distinct pipeline_id) as n_pipelines,
        count(*) as n_executions,
        coalesce(sum(cost), 0) as total_cost,
        coalesce(sum(cost) filter (where waste_class = 'wasted'), 0) as wasted_cost,
    from executions
),

graphlet_totals as (
    select
        count(*) as n_graphlets,
        count(*) filter (where outcome <> 'training_failed') as n_models_trained,
        count(*) filter (where is_pushed) as n_pushed,
    from graphlets
),

final as (
    select
        'warehouse' as report_scope,
        execution_totals.n_pipelines,
        execution_totals.n_executions,
        graphlet_totals.n_graphlets,
        graphlet_totals.n_models_trained,
        graphlet_totals.n_pushed,
        execution_totals.total_cost,
        execution_totals.wasted_cost,
        graphlet_totals.n_pushed
            / nullif(graphlet_totals.n_models_trained, 0) as pushed_share,
        execution_totals.wasted_cost / nullif(execution_totals.total_cost, 0) as waste_share,
    from execution_totals
    cross join graphlet_totals
)

select * from final
