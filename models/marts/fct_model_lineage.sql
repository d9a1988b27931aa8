{#- One row per (graphlet, ancestor graphlet): the transitive closure of model lineage
    (docs/semantics.md section 4), at any depth. -#}
with

lineage as (
    select * from {{ ref('int_graphlet_lineage') }}
),

parents as (
    select * from {{ ref('int_graphlet_parents') }}
),

anchors as (
    select * from {{ ref('int_graphlet_anchors') }}
),

final as (
    select
        lineage.graphlet_id,
        lineage.ancestor_graphlet_id,
        lineage.generations,
        anchors.source_id,
        anchors.pipeline_id,
        ancestor_anchors.pipeline_id as ancestor_pipeline_id,
        parents.graphlet_id is not null as is_parent,
        coalesce(parents.is_read_by_trainer, false) as is_read_by_trainer,
        coalesce(parents.is_primary_parent, false) as is_primary_parent
    from lineage
    inner join anchors
        on lineage.graphlet_id = anchors.graphlet_id
    inner join anchors as ancestor_anchors
        on lineage.ancestor_graphlet_id = ancestor_anchors.graphlet_id
    left join parents
        on lineage.graphlet_id = parents.graphlet_id
        and lineage.ancestor_graphlet_id = parents.parent_graphlet_id
)

select * from final
