{#- One row per (graphlet, member execution): membership with relation and hops (docs/semantics.md
    section 2) and the member's share of cost and waste (docs/semantics.md section 5). -#}
with

members as (
    select * from {{ ref('int_graphlet_members') }}
),

member_costs as (
    select * from {{ ref('int_graphlet_member_costs') }}
),

anchors as (
    select * from {{ ref('int_graphlet_anchors') }}
),

executions as (
    select * from {{ ref('int_executions') }}
),

final as (
    select
        members.graphlet_id,
        members.execution_id,
        anchors.source_id,
        anchors.pipeline_id,
        executions.pipeline_id as execution_pipeline_id,
        executions.role,
        members.relation,
        members.hops,
        members.n_graphlets_sharing,
        member_costs.cost,
        member_costs.attributed_cost,
        member_costs.wasted_cost
    from members
    inner join member_costs
        on members.graphlet_id = member_costs.graphlet_id
        and members.execution_id = member_costs.execution_id
    inner join anchors
        on members.graphlet_id = anchors.graphlet_id
    inner join executions
        on members.execution_id = executions.execution_id
)

select * from final
