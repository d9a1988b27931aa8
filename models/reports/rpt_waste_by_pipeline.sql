{#- One row per pipeline: where its compute went by waste class (docs/semantics.md section 5), its
    waste fraction, and its share of its source's waste. -#}
with

pipelines as (
    select * from {{ ref('dim_pipelines') }}
),

executions as (
    select * from {{ ref('fct_executions') }}
),

graphlets as (
    select * from {{ ref('fct_graphlets') }}
),

pipeline_costs as (
    select
        pipeline_id,
        count(*) as n_executions,
        count(*) filter (where waste_class = 'wasted') as n_wasted_executions,
        sum(cost) as total_cost,
        coalesce(sum(cost) filter (where waste_class = 'productive'), 0) as productive_cost,
        coalesce(sum(cost) filter (where waste_class = 'wasted'), 0) as wasted_cost,
        coalesce(sum(cost) filter (where waste_class = 'pending'), 0) as pending_cost,
        coalesce(sum(cost) filter (where waste_class = 'orphan'), 0) as orphan_cost,
    from executions
    group by pipeline_id
),

pipeline_graphlets as (
    select
        pipeline_id,
        count(*) as n_graphlets,
        count(*) filter (where outcome <> 'training_failed') as n_models_trained,
        count(*) filter (where is_pushed) as n_pushed,
        count(*) filter (
            where outcome not in ('pushed', 'pending')
        ) as n_wasted_graphlets,
    from graphlets
    group by pipeline_id
),

joined as (
    select
        pipelines.pipeline_id,
        pipelines.source_id,
        pipelines.pipeline_name,
        coalesce(pipeline_costs.n_executions, 0) as n_executions,
        coalesce(pipeline_costs.n_wasted_executions, 0) as n_wasted_executions,
        coalesce(pipeline_graphlets.n_graphlets, 0) as n_graphlets,
        coalesce(pipeline_graphlets.n_models_trained, 0) as n_models_trained,
        coalesce(pipeline_graphlets.n_pushed, 0) as n_pushed,
        coalesce(pipeline_graphlets.n_wasted_graphlets, 0) as n_wasted_graphlets,
        coalesce(pipeline_costs.total_cost, 0) as total_cost,
        coalesce(pipeline_costs.productive_cost, 0) as productive_cost,
        coalesce(pipeline_costs.wasted_cost, 0) as wasted_cost,
        coalesce(pipeline_costs.pending_cost, 0) as pending_cost,
        coalesce(pipeline_costs.orphan_cost, 0) as orphan_cost,
    from pipelines
    left join pipeline_costs
        on pipelines.pipeline_id = pipeline_costs.pipeline_id
    left join pipeline_graphlets
        on pipelines.pipeline_id = pipeline_graphlets.pipeline_id
),

final as (
    select
        joined.*,
        wasted_cost / nullif(total_cost, 0) as waste_fraction,
        wasted_cost
            / nullif(sum(wasted_cost) over (partition by source_id), 0)
            as share_of_source_waste,
        row_number() over (
            partition by source_id
            order by wasted_cost desc, pipeline_id
        ) as waste_rank_in_source,
    from joined
)

select * from final
