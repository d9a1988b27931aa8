{#- Upstream membership (spec section 2): one row per (graphlet, upstream execution), the
    anchor itself excluded. A thin call to the walk macro over int_graphlet_upstream_edges,
    whose stop rules keep every walk from passing another trainer. Built in slices of
    anchors (macros/graphlets_batches.sql) to stay within a memory limit. -#}
{{ config(post_hook=graphlets_batch_hooks()) }}
with

anchors as (
    select * from {{ ref('int_graphlet_anchors') }}
),

upstream_edges as (
    select * from {{ ref('int_graphlet_upstream_edges') }}
),

walk_seeds as (
    select
        graphlet_id as walk_id,
        trainer_execution_id as execution_id
    from anchors
    where {{ graphlets_batch_filter('graphlet_id') }}
),

walked as (
    {{ graphlets_walk(
        'walk_seeds',
        'upstream_edges',
        var('graphlets_max_hops'),
        path_flag='is_from_tune'
    ) }}
),

final as (
    select
        walked.walk_id as graphlet_id,
        walked.execution_id,
        walked.hops,
        -- reached through at least one path that does not pass a tuner
        not walked.is_flagged_path as is_reached_without_tuner,
        walked.is_at_hop_bound
    from walked
    where walked.hops > 0
)

select * from final
