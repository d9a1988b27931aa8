{#- Shortest lineage between branch points (docs/semantics.md section 4.2): one row per (branch
    point, branch point it descends from, the fewest parent links between them), the branch
    point itself included at 0, over int_graphlet_lineage_branch_edges. A thin call to the exact
    form of the walk macro (no depth bound; it terminates on a lineage cycle too), built
    in slices of branch points (macros/graphlets_batches.sql) to stay within a memory limit. -#}
{{ config(post_hook=graphlets_batch_hooks()) }}
with

segments as (
    select * from {{ ref('int_graphlet_lineage_segments') }}
),

branch_edges as (
    select
        branch_point_id as from_execution_id,
        parent_branch_point_id as to_execution_id,
        generations
    from {{ ref('int_graphlet_lineage_branch_edges') }}
),

walk_seeds as (
    select
        graphlet_id as walk_id,
        graphlet_id as execution_id
    from segments
    where is_branch_point and {{ graphlets_batch_filter('graphlet_id') }}
),

walked as (
    {{ graphlets_walk('walk_seeds', 'branch_edges', none, weight='generations') }}
),

final as (
    select
        walk_id as branch_point_id,
        execution_id as ancestor_branch_point_id,
        hops as generations
    from walked
)

select * from final
