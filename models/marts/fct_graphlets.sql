{#- One row per graphlet (= training execution, docs/semantics.md section 2): outcome, size, cost and
    waste, lineage and data window. -#}
with

anchors as (
    select * from {{ ref('int_graphlet_anchors') }}
),

outcomes as (
    select * from {{ ref('int_graphlet_outcomes') }}
),

members as (
    select * from {{ ref('int_graphlet_members') }}
),

member_costs as (
    select * from {{ ref('int_graphlet_member_costs') }}
),

parents as (
    select * from {{ ref('int_graphlet_parents') }}
),

lineage as (
    select * from {{ ref('int_graphlet_lineage') }}
),

lineage_segments as (
    select * from {{ ref('int_graphlet_lineage_segments') }}
),

lineage_closure as (
    select * from {{ ref('int_graphlet_lineage_branch_closure') }}
),

lineage_cycles as (
    select * from {{ ref('int_graphlet_lineage_cycles') }}
),

spans as (
    select * from {{ ref('int_graphlet_spans') }}
),

upstream as (
    select * from {{ ref('int_graphlet_upstream') }}
),

downstream_candidates as (
    select * from {{ ref('int_graphlet_downstream_candidates') }}
),

cycles as (
    select * from {{ ref('int_graphlet_walk_cycles') }}
),

artifacts as (
    select * from {{ ref('int_artifacts') }}
),

sizes as (
    select
        members.graphlet_id,
        count(*) as n_executions,
        count(*) filter (where members.relation = 'upstream') as n_upstream,
        count(*) filter (where members.relation = 'downstream') as n_downstream,
        count(cycles.execution_id) > 0 as has_cycle
    from members
    left join cycles
        on members.execution_id = cycles.execution_id
    group by members.graphlet_id
),

costs as (
    select
        graphlet_id,
        sum(cost) as total_cost,
        sum(attributed_cost) as attributed_cost,
        sum(wasted_cost) as wasted_cost
    from member_costs
    group by graphlet_id
),

parent_summary as (
    select
        graphlet_id,
        count(*) as n_parents,
        any_value(parent_graphlet_id) filter (where is_primary_parent)
            as parent_graphlet_id
    from parents
    group by graphlet_id
),

lineage_summary as (
    select
        graphlet_id,
        count(*) as n_ancestors
    from lineage
    group by graphlet_id
),

-- Graphlets whose lineage runs into a cycle (docs/semantics.md section 4.2): a branch point
-- on a cycle descends from the nearest branch point at or below the graphlet (any path
-- from the graphlet out of its chain passes that one).
cyclic_lineage as (
    select distinct lineage_segments.graphlet_id
    from lineage_segments
    inner join lineage_closure
        on lineage_segments.older_branch_point_id = lineage_closure.branch_point_id
    semi join lineage_cycles
        on lineage_closure.ancestor_branch_point_id = lineage_cycles.branch_point_id
),

truncated_walks as (
    select graphlet_id from upstream where is_at_hop_bound
    union
    select graphlet_id from downstream_candidates where is_at_hop_bound
),

final as (
    select
        anchors.graphlet_id,
        anchors.source_id,
        anchors.pipeline_id,
        anchors.node_id,
        anchors.trainer_execution_id,
        anchors.source_trainer_execution_id,
        anchors.trainer_state,
        anchors.model_artifact_id,
        anchors.started_at,
        anchors.trained_at,
        outcomes.outcome,
        outcomes.is_pushed,
        outcomes.pushed_at,
        sizes.n_executions,
        sizes.n_upstream,
        sizes.n_downstream,
        costs.total_cost,
        costs.attributed_cost,
        costs.wasted_cost,
        parent_summary.parent_graphlet_id,
        coalesce(parent_summary.n_parents, 0) as n_parents,
        coalesce(lineage_summary.n_ancestors, 0) as n_ancestors,
        cyclic_lineage.graphlet_id is not null as has_truncated_lineage,
        spans.input_span_min,
        spans.input_span_max,
        truncated_walks.graphlet_id is not null as is_walk_truncated,
        sizes.has_cycle,
        outcomes.as_of_at,
        artifacts.source_artifact_key as model_artifact_key,
        artifacts.artifact_name as model_artifact_name
    from anchors
    inner join outcomes
        on anchors.graphlet_id = outcomes.graphlet_id
    inner join sizes
        on anchors.graphlet_id = sizes.graphlet_id
    inner join costs
        on anchors.graphlet_id = costs.graphlet_id
    left join parent_summary
        on anchors.graphlet_id = parent_summary.graphlet_id
    left join lineage_summary
        on anchors.graphlet_id = lineage_summary.graphlet_id
    left join cyclic_lineage
        on anchors.graphlet_id = cyclic_lineage.graphlet_id
    left join spans
        on anchors.graphlet_id = spans.graphlet_id
    left join truncated_walks
        on anchors.graphlet_id = truncated_walks.graphlet_id
    left join artifacts
        on anchors.model_artifact_id = artifacts.artifact_id
)

select * from final
