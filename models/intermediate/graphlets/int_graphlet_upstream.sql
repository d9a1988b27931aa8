{#- Upstream membership (docs/semantics.md section 2): one row per (graphlet, upstream execution), the
    anchor itself excluded. A thin call to the walk macro over int_graphlet_upstream_edges,
    whose stop rules keep every walk from passing another trainer. Built in slices of
    anchors (macros/graphlets_batches.sql) to stay within a memory limit.

    Incremental: a later build deletes and re-walks only the graphlets of
    int_graphlet_refresh_set; `dbt build --full-refresh` re-walks every anchor. -#}
{{ config(
    materialized='incremental',
    pre_hook=graphlets_refresh_delete('int_graphlet_refresh_set'),
    post_hook=graphlets_batch_hooks(),
    on_schema_change='fail',
) }}
with

anchors as (
    select * from {{ ref('int_graphlet_anchors') }}
),

upstream_edges as (
    select * from {{ ref('int_graphlet_upstream_edges') }}
),

refresh_set as (
    select * from {{ ref('int_graphlet_refresh_set') }}
),

walk_seeds as (
    select
        anchors.graphlet_id as walk_id,
        anchors.trainer_execution_id as execution_id
    from anchors
    where
        {{ graphlets_batch_filter('anchors.graphlet_id') }}
        {% if is_incremental() -%}
        and anchors.graphlet_id in (select graphlet_id from refresh_set)
        {%- endif %}
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
        walked.is_at_hop_bound,
        {{ graphlets_current_load_id() }} as built_through_load_id,
    from walked
    where walked.hops > 0
)

select * from final
