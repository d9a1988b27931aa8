{#- Graphlet membership (docs/semantics.md section 2): one row per (graphlet, member execution) with its
    relation (`trainer`, `upstream`, `downstream`), its shortest distance from the anchor
    (`hops`) and how many graphlets contain the execution (`n_graphlets_sharing`).

    Choice where the study is silent (docs/semantics.md): an execution that a corrupt store puts both upstream
    and downstream of the same anchor is listed once, as `downstream` (with its downstream
    hops), because its outputs decide the outcome. -#}
with

anchors as (
    select * from {{ ref('int_graphlet_anchors') }}
),

upstream as (
    select * from {{ ref('int_graphlet_upstream') }}
),

downstream_candidates as (
    select * from {{ ref('int_graphlet_downstream_candidates') }}
),

trainer_rows as (
    select
        graphlet_id,
        trainer_execution_id as execution_id,
        'trainer' as relation,
        0 as hops
    from anchors
),

downstream_rows as (
    select
        graphlet_id,
        execution_id,
        'downstream' as relation,
        hops
    from downstream_candidates
    where is_owner
),

-- The anchor is never in its own upstream (walks stop at trainers); an execution that is
-- also an owned downstream member of the same graphlet is listed as downstream only.
upstream_rows as (
    select
        upstream.graphlet_id,
        upstream.execution_id,
        'upstream' as relation,
        upstream.hops
    from upstream
    anti join downstream_rows
        on upstream.graphlet_id = downstream_rows.graphlet_id
        and upstream.execution_id = downstream_rows.execution_id
),

unioned as (
    select * from trainer_rows
    union all
    select * from downstream_rows
    union all
    select * from upstream_rows
),

sharing as (
    select
        execution_id,
        count(*) as n_graphlets_sharing
    from unioned
    group by execution_id
),

final as (
    select
        unioned.graphlet_id,
        unioned.execution_id,
        unioned.relation,
        unioned.hops,
        sharing.n_graphlets_sharing
    from unioned
    inner join sharing
        on unioned.execution_id = sharing.execution_id
)

select * from final
