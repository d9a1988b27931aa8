{#- Direct model lineage (docs/semantics.md section 4): one row per (graphlet, parent graphlet). A is a
    parent of B when B's anchor, or a member of B's upstream, consumed an artifact
    produced by A's anchor (warm start, base model, teacher), under the edge time rule.
    `is_read_by_trainer` says B's anchor itself consumed it; among those parents the one
    whose anchor was trained last is B's `parent_graphlet_id` (`is_primary_parent`).
    Warm starts are history edges (same node) and still count: the history rule stops
    membership, not lineage. Baseline inputs count too: docs/semantics.md makes no exception. -#}
with

anchors as (
    select * from {{ ref('int_graphlet_anchors') }}
),

upstream as (
    select * from {{ ref('int_graphlet_upstream') }}
),

edges as (
    select * from {{ ref('int_edges') }}
),

readers as (
    select
        graphlet_id,
        trainer_execution_id as execution_id,
        true as is_trainer
    from anchors
    union all
    select
        graphlet_id,
        execution_id,
        false as is_trainer
    from upstream
),

parent_links as (
    select
        readers.graphlet_id,
        edges.producer_execution_id as parent_graphlet_id,
        bool_or(readers.is_trainer) as is_read_by_trainer
    from readers
    inner join edges
        on readers.execution_id = edges.consumer_execution_id
    where
        edges.producer_role = 'train'
        and edges.producer_execution_id <> readers.graphlet_id
    group by readers.graphlet_id, edges.producer_execution_id
),

ranked as (
    select
        parent_links.graphlet_id,
        parent_links.parent_graphlet_id,
        parent_links.is_read_by_trainer,
        parent_links.is_read_by_trainer
        and row_number() over (
            partition by parent_links.graphlet_id, parent_links.is_read_by_trainer
            order by parent_anchors.training_rank desc
        ) = 1 as is_primary_parent
    from parent_links
    inner join anchors as parent_anchors
        on parent_links.parent_graphlet_id = parent_anchors.graphlet_id
),

final as (
    select * from ranked
)

select * from final
