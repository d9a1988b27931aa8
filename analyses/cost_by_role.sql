-- Question: where does the compute go, by component role, and where is the waste?
-- One row per role over all sources: cost, its share of all cost, wasted cost and its
-- share of all waste, and how much of the role's own cost is wasted.
with

role_costs as (
    select * from {{ ref('rpt_cost_by_role') }}
),

roles as (
    select
        role,
        min(role_order) as role_order,
        sum(n_executions) as n_executions,
        sum(cost) as cost,
        sum(wasted_cost) as wasted_cost,
    from role_costs
    group by role
),

final as (
    select
        role,
        role_order,
        n_executions,
        cost,
        cost / nullif(sum(cost) over (), 0) as share_of_cost,
        wasted_cost,
        wasted_cost / nullif(sum(wasted_cost) over (), 0) as share_of_waste,
        wasted_cost / nullif(cost, 0) as waste_fraction,
    from roles
)

select * from final
order by role_order
