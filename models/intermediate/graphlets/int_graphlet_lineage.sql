{#- Model lineage closure (docs/semantics.md section 4): one row per (graphlet, ancestor graphlet) with
    `generations` = the fewest parent steps between them. A thin call to the walk macro
    over int_graphlet_parents.

    Choice where the study is silent (docs/semantics.md): the closure is bounded by var `graphlets_max_hops`
    generations, like every walk. Measured on a synthetic lineage of the paper's scale
    (450,000 models, warm-start chains of 150), the unbounded closure is 34M rows and
    needs >3 GB in a recursive CTE (which cannot spill); 32 generations keep it under
    2 GB. `is_at_hop_bound` marks ancestors at the bound that have parents of their own
    (fct_graphlets.has_truncated_lineage). A graphlet is never listed as its own
    ancestor (possible only in a corrupt store with a lineage cycle). Built in slices
    of graphlets (macros/graphlets_batches.sql) to stay within a memory limit. -#}
{{ config(post_hook=graphlets_batch_hooks()) }}
with

parents as (
    select * from {{ ref('int_graphlet_parents') }}
),

lineage_edges as (
    select
        graphlet_id as from_execution_id,
        parent_graphlet_id as to_execution_id
    from parents
),

walk_seeds as (
    select distinct
        graphlet_id as walk_id,
        graphlet_id as execution_id
    from parents
    where {{ graphlets_batch_filter('graphlet_id') }}
),

walked as (
    {{ graphlets_walk('walk_seeds', 'lineage_edges', var('graphlets_max_hops')) }}
),

final as (
    select
        walk_id as graphlet_id,
        execution_id as ancestor_graphlet_id,
        hops as generations,
        is_at_hop_bound
    from walked
    where walk_id <> execution_id
)

select * from final
