{#- One row per (source, role): the compute each component role takes, its share of the
    source's cost and of the source's waste. -#}
with

executions as (
    select * from {{ ref('fct_executions') }}
),

role_costs as (
    select
        source_id,
        role,
        count(*) as n_executions,
        sum(cost) as cost,
        coalesce(sum(cost) filter (where waste_class = 'productive'), 0) as productive_cost,
        coalesce(sum(cost) filter (where waste_class = 'wasted'), 0) as wasted_cost,
        coalesce(sum(cost) filter (where waste_class = 'pending'), 0) as pending_cost,
        coalesce(sum(cost) filter (where waste_class = 'orphan'), 0) as orphan_cost,
    from executions
    group by source_id, role
),

final as (
    select
        source_id,
        role,
        {{ report_role_order('role') }} as role_order,
        n_executions,
        cost,
        productive_cost,
        wasted_cost,
        pending_cost,
        orphan_cost,
        cost / nullif(sum(cost) over (partition by source_id), 0) as share_of_cost,
        wasted_cost
            / nullif(sum(wasted_cost) over (partition by source_id), 0)
            as share_of_waste,
        wasted_cost / nullif(cost, 0) as waste_fraction,
    from role_costs
)

select * from final
