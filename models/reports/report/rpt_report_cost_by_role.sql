{#- One row per component role over all sources (rpt_cost_by_role summed over sources):
    the role's executions and cost, its share of all cost and of all wasted cost, and
    how much of its own cost is wasted. -#}
with

role_costs as (
    select * from {{ ref('rpt_cost_by_role') }}
),

roles as (
    select
        role,
        min(role_order) as role_order,
        cast(sum(n_executions) as bigint) as n_executions,
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
