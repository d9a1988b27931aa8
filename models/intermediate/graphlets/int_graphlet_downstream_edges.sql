{#- The edge list of the downstream walk (docs/semantics.md section 2), oriented producer -> consumer.
    A consumer joins downstream when its role is one of var `graphlets_downstream_roles`
    and the edge is not baseline-only (an input whose event key is a baseline key is never
    a reason to join; an artifact read through several events is a baseline only if every
    event is). Producers are trainers (the anchor) or downstream executions.

    Choice where the study is silent (docs/semantics.md): history edges (same pipeline node, e.g. a Pusher
    reading an earlier Pusher's output) are not followed downstream either, as upstream:
    otherwise every Pusher run would descend from every earlier model. -#}
{%- set downstream_roles = var('graphlets_downstream_roles') %}
with

edges as (
    select * from {{ ref('int_edges') }}
),

final as (
    select
        producer_execution_id as from_execution_id,
        consumer_execution_id as to_execution_id
    from edges
    where
        consumer_role in (
            {%- for role in downstream_roles %}
            '{{ role }}'{{ "," if not loop.last }}
            {%- endfor %}
        )
        and producer_role in (
            'train'
            {%- for role in downstream_roles %},
            '{{ role }}'
            {%- endfor %}
        )
        and not is_baseline_only
        and not is_same_node
)

select * from final
