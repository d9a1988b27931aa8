{#- Branch links of model lineage (docs/semantics.md section 4.2): one row per parent link
    (int_graphlet_parents) that is not a step along a chain (int_graphlet_lineage_chains),
    i.e. a second parent (a teacher, a base model read by an upstream member), a fork off
    another chain, or a link across chains. Both ends are branch points. Few in a corpus
    of warm-start chains, so the lineage closure walks only these. -#}
with

parents as (
    select * from {{ ref('int_graphlet_parents') }}
),

chains as (
    select * from {{ ref('int_graphlet_lineage_chains') }}
),

final as (
    select
        parents.graphlet_id,
        parents.parent_graphlet_id
    from parents
    inner join chains
        on parents.graphlet_id = chains.graphlet_id
    inner join chains as parent_chains
        on parents.parent_graphlet_id = parent_chains.graphlet_id
    where not (
        chains.chain_id = parent_chains.chain_id
        and chains.chain_position = parent_chains.chain_position + 1
    )
)

select * from final
