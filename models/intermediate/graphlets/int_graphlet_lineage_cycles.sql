{#- Branch points on a lineage cycle (docs/semantics.md section 4.2): one row per branch point
    that is its own ancestor, with the fewest generations around its shortest cycle. With
    known, consistent times a model only descends from older ones and there is none; a
    corrupt store (a model reading another's output with unknown times both ways) can make
    one. Every cycle of lineage has a branch link (chain steps only go down a chain), so
    each passes a branch point: B is on a cycle when B reaches a branch point A (or itself)
    that links to B (int_graphlet_lineage_branch_edges). -#}
with

closure as (
    select * from {{ ref('int_graphlet_lineage_branch_closure') }}
),

branch_edges as (
    select * from {{ ref('int_graphlet_lineage_branch_edges') }}
),

final as (
    select
        closure.branch_point_id,
        min(closure.generations + branch_edges.generations) as cycle_length
    from closure
    inner join branch_edges
        on closure.ancestor_branch_point_id = branch_edges.branch_point_id
        and closure.branch_point_id = branch_edges.parent_branch_point_id
    group by closure.branch_point_id
)

select * from final
