{#- One row per waste class (docs/semantics.md section 5: productive, wasted, pending, orphan; every
    class listed, in that order): its cost summed over all pipelines and its share of
    all cost. -#}
with

pipelines as (
    select * from {{ ref('rpt_waste_by_pipeline') }}
),

class_costs as (
    select
        coalesce(sum(productive_cost), 0) as productive,
        coalesce(sum(wasted_cost), 0) as wasted,
        coalesce(sum(pending_cost), 0) as pending,
        coalesce(sum(orphan_cost), 0) as orphan,
    from pipelines
),

classes as (
    select 'productive' as waste_class, 1 as class_order, productive as cost from class_costs
    union all
    select 'wasted', 2, wasted from class_costs
    union all
    select 'pending', 3, pending from class_costs
    union all
    select 'orphan', 4, orphan from class_costs
),

final as (
    select
        waste_class,
        class_order,
        cast(cost as double) as cost,
        cost / nullif(sum(cost) over (), 0) as share_of_cost,
    from classes
)

select * from final
