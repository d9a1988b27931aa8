{#- Where each lineage graphlet sits between branch points (docs/semantics.md section 4.2): one
    row per graphlet of int_graphlet_lineage_chains, with whether it is a branch point (an
    end of a branch link) and the nearest branch point of its chain at or below its
    position (`older_*`: every path out of the chain from this graphlet passes it) and at
    or above it (`younger_*`: every path into this graphlet from outside the chain, or from
    higher up the chain, passes it). NULL when the chain has none on that side. -#}
with

chains as (
    select * from {{ ref('int_graphlet_lineage_chains') }}
),

branch_links as (
    select * from {{ ref('int_graphlet_lineage_branch_links') }}
),

branch_points as (
    select graphlet_id from branch_links
    union
    select parent_graphlet_id from branch_links
),

marked as (
    select
        chains.graphlet_id,
        chains.chain_id,
        chains.chain_position,
        branch_points.graphlet_id is not null as is_branch_point
    from chains
    left join branch_points
        on chains.graphlet_id = branch_points.graphlet_id
),

final as (
    select
        graphlet_id,
        chain_id,
        chain_position,
        is_branch_point,
        {{ graphlets_last_value_ignore_nulls('case when is_branch_point then graphlet_id end') }}
            over older as older_branch_point_id,
        {{ graphlets_last_value_ignore_nulls('case when is_branch_point then chain_position end') }}
            over older as older_branch_point_position,
        {{ graphlets_first_value_ignore_nulls('case when is_branch_point then graphlet_id end') }}
            over younger as younger_branch_point_id,
        {{ graphlets_first_value_ignore_nulls('case when is_branch_point then chain_position end') }}
            over younger as younger_branch_point_position
    from marked
    window
        older as (
            partition by chain_id order by chain_position nulls first
            rows between unbounded preceding and current row
        ),
        younger as (
            partition by chain_id order by chain_position nulls first
            rows between current row and unbounded following
        )
)

select * from final
