{#- One row per graphlet with the signature of its topology (issue 4).

    A node of the shape is a label `role:ShortTypeName` (the role, then the execution type
    name after its last dot); the shape has one node per distinct label among the
    graphlet's members, and an edge `a>b` when some member labelled `a` feeds some member
    labelled `b` (int_edges restricted to pairs of members of the same graphlet, history
    edges left out as the walks leave them out: spec section 2). So the
    shape is the component-level topology: a rolling window that reads 3 or 7 ingestion
    runs, or a cached re-run next to the run that did the work, does not change it; how
    many executions a graphlet has is its size, reported next to the shape.

    The signature lists nodes, then edges, in pipeline role order (macro
    report_role_order), then label text: `n1;n2;... | a>b;c>d;...`. `shape_id` is the
    first 16 hex digits of its md5, stable across builds and warehouses. -#}
with

graphlets as (
    select * from {{ ref('fct_graphlets') }}
),

graphlet_members as (
    select * from {{ ref('fct_graphlet_executions') }}
),

executions as (
    select * from {{ ref('fct_executions') }}
),

edges as (
    select * from {{ ref('int_edges') }}
),

labelled_members as (
    select
        graphlet_members.graphlet_id,
        graphlet_members.execution_id,
        {{ report_node_label('executions.role', 'executions.type_name') }} as node_label,
        {{ report_role_order('executions.role') }} as role_order,
    from graphlet_members
    inner join executions
        on graphlet_members.execution_id = executions.execution_id
),

graphlet_nodes as (
    select distinct graphlet_id, node_label, role_order
    from labelled_members
),

member_edges as (
    select distinct
        producers.graphlet_id,
        producers.node_label as from_label,
        producers.role_order as from_order,
        consumers.node_label as to_label,
        consumers.role_order as to_order,
    from edges
    inner join labelled_members as producers
        on edges.producer_execution_id = producers.execution_id
    inner join labelled_members as consumers
        on edges.consumer_execution_id = consumers.execution_id
        and producers.graphlet_id = consumers.graphlet_id
    -- history edges (a component reading its own earlier output) are not walked
    where not edges.is_same_node
),

node_lists as (
    select
        graphlet_id,
        list(node_label order by role_order, node_label) as node_labels,
    from graphlet_nodes
    group by graphlet_id
),

edge_lists as (
    select
        graphlet_id,
        list(
            from_label || '>' || to_label
            order by from_order, from_label, to_order, to_label
        ) as edge_labels,
        list(
            {'from_label': from_label, 'to_label': to_label}
            order by from_order, from_label, to_order, to_label
        ) as edge_pairs,
    from member_edges
    group by graphlet_id
),

signed as (
    select
        node_lists.graphlet_id,
        node_lists.node_labels,
        coalesce(edge_lists.edge_labels, []::varchar[]) as edge_labels,
        coalesce(
            edge_lists.edge_pairs,
            []::struct(from_label varchar, to_label varchar)[]
        ) as edge_pairs,
        array_to_string(node_lists.node_labels, ';')
            || ' | '
            || array_to_string(coalesce(edge_lists.edge_labels, []::varchar[]), ';')
            as shape_signature,
    from node_lists
    left join edge_lists
        on node_lists.graphlet_id = edge_lists.graphlet_id
),

final as (
    select
        graphlets.graphlet_id,
        graphlets.source_id,
        graphlets.pipeline_id,
        left(md5(signed.shape_signature), 16) as shape_id,
        signed.shape_signature,
        signed.node_labels,
        signed.edge_labels,
        signed.edge_pairs,
        len(signed.node_labels) as n_nodes,
        len(signed.edge_labels) as n_edges,
        graphlets.n_executions,
        graphlets.total_cost,
        graphlets.attributed_cost,
        graphlets.outcome,
        graphlets.is_pushed,
    from graphlets
    inner join signed
        on graphlets.graphlet_id = signed.graphlet_id
)

select * from final
