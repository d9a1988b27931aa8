{#- Executions on a cycle of the walked graph (a corrupt store): one row per such
    execution, with the length of the shortest cycle through it.

    A walk that meets a cycle runs to the hop bound, so only executions of walks that hit
    the bound are candidates; the cycle search is a walk of the same macro from each
    candidate over the walk edges among candidates, in producer -> consumer orientation
    (upstream and downstream edges both), looking for the candidate itself. -#}
with

upstream as (
    select * from {{ ref('int_graphlet_upstream') }}
),

downstream_candidates as (
    select * from {{ ref('int_graphlet_downstream_candidates') }}
),

anchors as (
    select * from {{ ref('int_graphlet_anchors') }}
),

upstream_edges as (
    select * from {{ ref('int_graphlet_upstream_edges') }}
),

downstream_edges as (
    select * from {{ ref('int_graphlet_downstream_edges') }}
),

truncated_walks as (
    select graphlet_id from upstream where is_at_hop_bound
    union
    select graphlet_id from downstream_candidates where is_at_hop_bound
),

candidates as (
    select upstream.execution_id
    from upstream
    inner join truncated_walks
        on upstream.graphlet_id = truncated_walks.graphlet_id
    union
    select downstream_candidates.execution_id
    from downstream_candidates
    inner join truncated_walks
        on downstream_candidates.graphlet_id = truncated_walks.graphlet_id
    union
    select anchors.trainer_execution_id
    from anchors
    inner join truncated_walks
        on anchors.graphlet_id = truncated_walks.graphlet_id
),

-- Walk edges leaving a candidate, in producer -> consumer orientation (filtered before
-- anything else: without a truncated walk this is empty and costs nothing).
edges_from_candidates as (
    select
        upstream_edges.to_execution_id as from_execution_id,
        upstream_edges.from_execution_id as to_execution_id
    from upstream_edges
    semi join candidates
        on upstream_edges.to_execution_id = candidates.execution_id
    union all
    select
        downstream_edges.from_execution_id,
        downstream_edges.to_execution_id
    from downstream_edges
    semi join candidates
        on downstream_edges.from_execution_id = candidates.execution_id
),

candidate_edges as (
    select distinct
        edges_from_candidates.from_execution_id,
        edges_from_candidates.to_execution_id
    from edges_from_candidates
    semi join candidates
        on edges_from_candidates.to_execution_id = candidates.execution_id
),

-- Each walk starts one step away from its candidate, so reaching the candidate itself
-- means a cycle of length hops + 1.
walk_seeds as (
    select
        from_execution_id as walk_id,
        to_execution_id as execution_id
    from candidate_edges
),

walked as (
    {{ graphlets_walk('walk_seeds', 'candidate_edges', var('graphlets_max_hops')) }}
),

final as (
    select
        walk_id as execution_id,
        hops + 1 as cycle_length
    from walked
    where walk_id = execution_id
)

select * from final
