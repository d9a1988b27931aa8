{#- The graph of branch points (docs/semantics.md section 4.2): one row per link from a branch
    point to a branch point it descends from, with its length in generations: each branch
    link (1), and along a chain, from a branch point to the next branch point below it
    (as many generations as chain positions between them). A path between two branch
    points in the lineage is a path here of the same length, and back. -#}
with

segments as (
    select * from {{ ref('int_graphlet_lineage_segments') }}
),

branch_links as (
    select * from {{ ref('int_graphlet_lineage_branch_links') }}
),

chain_links as (
    select
        segments.graphlet_id as branch_point_id,
        below.older_branch_point_id as parent_branch_point_id,
        segments.chain_position - below.older_branch_point_position as generations
    from segments
    inner join segments as below
        on segments.chain_id = below.chain_id
        and segments.chain_position = below.chain_position + 1
    where
        segments.is_branch_point
        and below.older_branch_point_id is not null
),

final as (
    select
        graphlet_id as branch_point_id,
        parent_graphlet_id as parent_branch_point_id,
        1 as generations
    from branch_links
    union all
    select * from chain_links
)

select * from final
