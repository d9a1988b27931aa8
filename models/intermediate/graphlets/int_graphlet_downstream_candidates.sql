{#- Every (anchor, execution) pair where the execution descends from the anchor through
    the downstream walk (docs/semantics.md section 2), with the owner chosen: a downstream execution is
    a downstream member of exactly one graphlet, the anchor trained last (anchor end time,
    then the highest source execution id; an unknown end ranks lowest). -#}
with

anchors as (
    select * from {{ ref('int_graphlet_anchors') }}
),

downstream_edges as (
    select * from {{ ref('int_graphlet_downstream_edges') }}
),

walk_seeds as (
    select
        graphlet_id as walk_id,
        trainer_execution_id as execution_id
    from anchors
),

walked as (
    {{ graphlets_walk('walk_seeds', 'downstream_edges', var('graphlets_max_hops')) }}
),

ranked as (
    select
        walked.walk_id as graphlet_id,
        walked.execution_id,
        walked.hops,
        walked.is_at_hop_bound,
        row_number() over (
            partition by walked.execution_id
            order by anchors.training_rank desc
        ) = 1 as is_owner
    from walked
    inner join anchors
        on walked.walk_id = anchors.graphlet_id
    where walked.hops > 0
),

final as (
    select * from ranked
)

select * from final
