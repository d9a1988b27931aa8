{#- One row per graphlet with a hash key of its shape, in integers only.

    The shape of a graphlet is its set of node labels `role:ShortTypeName` and its set of
    label edges `a>b` (some member labelled `a` feeds some member labelled `b` in int_edges,
    history edges left out as the walks leave them out: docs/semantics.md section 2); see
    int_graphlet_signatures for the readable form. Here each label is a 64-bit hash and
    each set is the XOR of the hashes of its distinct elements, so no per-graphlet list or
    string is ever built: at the study's scale (33M memberships) this is a few hash
    aggregates over integers, which DuckDB can spill. Two different shapes share a key
    only on a 64-bit hash collision.

    Incremental: a later build deletes and recomputes only the graphlets of
    int_graphlet_shape_refresh_set, whose member-set fingerprint it stores with the key;
    `--full-refresh` recomputes every graphlet (`graphlets build` adds it by itself when
    the table was built by an older version, without those columns). -#}
{{ config(
    schema='intermediate',
    materialized='incremental',
    pre_hook=graphlets_refresh_delete('int_graphlet_shape_refresh_set'),
    on_schema_change='fail',
) }}
with

refresh_set as (
    select * from {{ ref('int_graphlet_shape_refresh_set') }}
    where member_set_hash is not null
),

graphlet_members as (
    select graphlet_executions.*
    from {{ ref('fct_graphlet_executions') }} as graphlet_executions
    {% if is_incremental() -%}
    semi join refresh_set
        on graphlet_executions.graphlet_id = refresh_set.graphlet_id
    {%- endif %}
),

executions as (
    select * from {{ ref('fct_executions') }}
),

edges as (
    select * from {{ ref('int_edges') }}
),

-- one label per execution, not per membership: each execution is in ~10 graphlets
execution_labels as (
    select
        execution_id,
        {{ graphlets_hash([report_node_label('role', 'type_name')]) }} as label_hash,
    from executions
),

labelled_members as (
    select
        graphlet_members.graphlet_id,
        graphlet_members.execution_id,
        execution_labels.label_hash,
    from graphlet_members
    inner join execution_labels
        on graphlet_members.execution_id = execution_labels.execution_id
),

graphlet_nodes as (
    select distinct graphlet_id, label_hash
    from labelled_members
),

graphlet_edges as (
    select distinct
        producers.graphlet_id,
        {{ graphlets_hash(['producers.label_hash', 'consumers.label_hash']) }} as edge_hash,
    {{ report_member_edges('labelled_members', 'graphlet_id') }}
),

node_sets as (
    select
        graphlet_id,
        bit_xor(label_hash) as node_set_hash,
        count(*) as n_nodes,
    from graphlet_nodes
    group by graphlet_id
),

edge_sets as (
    select
        graphlet_id,
        bit_xor(edge_hash) as edge_set_hash,
        count(*) as n_edges,
    from graphlet_edges
    group by graphlet_id
),

final as (
    select
        node_sets.graphlet_id,
        {{ graphlets_hash([
            'node_sets.node_set_hash',
            'coalesce(edge_sets.edge_set_hash, 0)',
            'node_sets.n_nodes',
            'coalesce(edge_sets.n_edges, 0)',
        ]) }} as shape_key,
        node_sets.n_nodes,
        coalesce(edge_sets.n_edges, 0) as n_edges,
        refresh_set.member_set_hash,
        refresh_set.n_members,
        {{ graphlets_current_load_id() }} as built_through_load_id,
    from node_sets
    inner join refresh_set
        on node_sets.graphlet_id = refresh_set.graphlet_id
    left join edge_sets
        on node_sets.graphlet_id = edge_sets.graphlet_id
)

select * from final
