{#- Warm-start chains of model lineage (docs/semantics.md section 4.2): one row per graphlet with a
    parent or a child, placed on exactly one chain. A chain follows primary parents
    (int_graphlet_parents.is_primary_parent): it starts at a graphlet whose primary parent
    does not continue to it and goes on, child by child, while a graphlet is its primary
    parent's continuation. A graphlet is the continuation of its primary parent when it is
    the first of the parent's primary children (same pipeline node first, then the
    earliest trained), so a chain never forks. `chain_position` counts the links from the
    chain's first graphlet (`chain_id`, position 0): the ancestors of a graphlet along its
    chain are the graphlets of the same chain at lower positions, a join, not a walk.

    A walk of the macro from every chain start over the continuation links, bounded by their
    number (a chain is a path, so no walk revisits a graphlet and the bound is never hit).
    Only a corrupt store (a lineage cycle of primary parents) leaves graphlets unreached:
    each of those is a chain of its own. Every parent link that is not a chain step is a
    branch link (int_graphlet_lineage_branch_links). -#}
with

parents as (
    select * from {{ ref('int_graphlet_parents') }}
),

anchors as (
    select * from {{ ref('int_graphlet_anchors') }}
),

lineage_graphlets as (
    select graphlet_id from parents
    union
    select parent_graphlet_id from parents
),

continuations as (
    {% call graphlets_qualify(
        'row_number() over (
            partition by parents.parent_graphlet_id
            order by
                (children.pipeline_id, children.node_id)
                    is not distinct from (parent_anchors.pipeline_id, parent_anchors.node_id)
                    desc,
                children.training_rank,
                children.graphlet_id
        )',
        '= 1') -%}
    select
        parents.parent_graphlet_id as from_execution_id,
        parents.graphlet_id as to_execution_id
    from parents
    inner join anchors as children
        on parents.graphlet_id = children.graphlet_id
    inner join anchors as parent_anchors
        on parents.parent_graphlet_id = parent_anchors.graphlet_id
    where parents.is_primary_parent
    {%- endcall %}
),

chain_starts as (
    select
        graphlet_id as walk_id,
        graphlet_id as execution_id
    from lineage_graphlets
    where graphlet_id not in (select to_execution_id from continuations)
),

walked as (
    {{ graphlets_walk(
        'chain_starts',
        'continuations',
        '(select count(*) from continuations)'
    ) }}
),

final as (
    select
        lineage_graphlets.graphlet_id,
        coalesce(walked.walk_id, lineage_graphlets.graphlet_id) as chain_id,
        coalesce(walked.hops, 0) as chain_position
    from lineage_graphlets
    left join walked
        on lineage_graphlets.graphlet_id = walked.execution_id
)

select * from final
