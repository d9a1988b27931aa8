-- Question: where does the compute go, by component role, and where is the waste?
-- One row per role over all sources: cost, its share of all cost, wasted cost and its
-- share of all waste, and how much of the role's own cost is wasted (the report's table,
-- marts.rpt_report_cost_by_role; per source: marts.rpt_cost_by_role).
with

roles as (
    select * from {{ ref('rpt_report_cost_by_role') }}
),

final as (
    select
        role,
        role_order,
        n_executions,
        cost,
        share_of_cost,
        wasted_cost,
        share_of_waste,
        waste_fraction,
    from roles
)

select * from final
order by role_order, role
