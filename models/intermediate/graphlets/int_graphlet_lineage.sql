{#- Model lineage closure (docs/semantics.md section 4.2): one row per (graphlet, ancestor graphlet)
    with `generations` = the fewest parent links between them, at any depth. A view: the
    closure is a join of the chains with the (small) closure between branch points, never
    stored (fct_model_lineage stores it once).

    For a graphlet G on chain C, let K be the nearest branch point of C at or below G
    (int_graphlet_lineage_segments.older_branch_point_id). Every path out of C from G walks
    down C to K first, so G's ancestors are
      - along the chain: the graphlets of C between K and G (all of C below G when C has
        no branch point there), at `G's position - theirs` generations (no other path
        reaches them: one would enter C at a branch point between K and G), and
      - through K: every graphlet A whose nearest branch point at or above it on its own
        chain, B, descends from K (int_graphlet_lineage_branch_closure, K itself at 0), at
        `G to K + K to B + B down to A` (every path to A passes B, and the closure is the
        shortest from K to B).
    Each pair comes from exactly one of the two, so no aggregation is needed. Only a lineage
    cycle (a corrupt store) can lead back to G or to graphlets of C above K: G is never
    listed as its own ancestor, and the graphlets between K and G keep their chain rows. -#}
{{ config(materialized='view') }}
with

segments as (
    select * from {{ ref('int_graphlet_lineage_segments') }}
),

closure as (
    select * from {{ ref('int_graphlet_lineage_branch_closure') }}
),

along_the_chain as (
    select
        graphlets.graphlet_id,
        ancestors.graphlet_id as ancestor_graphlet_id,
        graphlets.chain_position - ancestors.chain_position as generations
    from segments as graphlets
    inner join segments as ancestors
        on graphlets.chain_id = ancestors.chain_id
        and ancestors.chain_position < graphlets.chain_position
        and ancestors.chain_position > coalesce(graphlets.older_branch_point_position, -1)
),

through_branch_points as (
    select
        graphlets.graphlet_id,
        ancestors.graphlet_id as ancestor_graphlet_id,
        (graphlets.chain_position - graphlets.older_branch_point_position)
        + closure.generations
        + (ancestors.younger_branch_point_position - ancestors.chain_position)
            as generations
    from segments as graphlets
    inner join closure
        on graphlets.older_branch_point_id = closure.branch_point_id
    inner join segments as ancestors
        on closure.ancestor_branch_point_id = ancestors.younger_branch_point_id
    where
        ancestors.graphlet_id <> graphlets.graphlet_id
        and not (
            ancestors.chain_id = graphlets.chain_id
            and ancestors.chain_position > graphlets.older_branch_point_position
            and ancestors.chain_position < graphlets.chain_position
        )
),

final as (
    select * from along_the_chain
    union all
    select * from through_branch_points
)

select * from final
