{#- The edge list of the upstream walk (docs/semantics.md section 2), oriented consumer -> producer.
    The stop rules are applied here, once, so the walk macro only knows the depth bound:
    1. a producer of role `train` (another model) is not followed: that edge is model
       lineage (int_graphlet_parents), not membership;
    2. a history edge (producer ran for the same pipeline node as the consumer) is not
       followed;
    resolvers are already absent from int_edges. `is_from_tune` marks edges leaving a
    tuner, so the data window (int_graphlet_spans) can ignore what only a tuner reads. -#}
with

edges as (
    select * from {{ ref('int_edges') }}
),

final as (
    select
        consumer_execution_id as from_execution_id,
        producer_execution_id as to_execution_id,
        consumer_role = 'tune' as is_from_tune
    from edges
    where
        producer_role <> 'train'
        and not is_same_node
)

select * from final
