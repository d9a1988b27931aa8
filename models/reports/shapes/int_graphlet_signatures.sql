{#- One row per graphlet with the shape of its topology: the shape key of
    int_graphlet_shape_keys resolved to the readable shape of
    int_graphlet_shape_definitions, next to the graphlet's size, cost and outcome. -#}
{{ config(schema='intermediate') }}
with

graphlets as (
    select * from {{ ref('fct_graphlets') }}
),

shape_keys as (
    select * from {{ ref('int_graphlet_shape_keys') }}
),

shape_definitions as (
    select * from {{ ref('int_graphlet_shape_definitions') }}
),

final as (
    select
        graphlets.graphlet_id,
        graphlets.source_id,
        graphlets.pipeline_id,
        shape_definitions.shape_id,
        shape_definitions.shape_signature,
        shape_keys.n_nodes,
        shape_keys.n_edges,
        graphlets.n_executions,
        graphlets.total_cost,
        graphlets.attributed_cost,
        graphlets.outcome,
        graphlets.is_pushed,
    from graphlets
    inner join shape_keys
        on graphlets.graphlet_id = shape_keys.graphlet_id
    inner join shape_definitions
        on shape_keys.shape_key = shape_definitions.shape_key
)

select * from final
