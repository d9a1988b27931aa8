{#- One row per provenance edge between two executions (int_edges, docs/semantics.md section 1),
    history edges included (`is_same_node`): published so that readers of the snapshot, such
    as the report's graphlet pages, can draw a graphlet's members as a DAG. A view: the
    warehouse keeps one copy of the edges; the snapshot materialises it. -#}
{{ config(materialized='view') }}
with

edges as (
    select * from {{ ref('int_edges') }}
),

final as (
    select
        producer_execution_id,
        consumer_execution_id,
        source_id,
        consumer_source_id,
        producer_role,
        consumer_role,
        is_same_node,
        is_cross_source,
        n_artifacts,
    from edges
)

select * from final
