{#- One row per graphlet shape: its readable signature, drawn from one example
    graphlet per shape key (the smallest graphlet_id), so labels and lists are built for a
    few thousand graphlets, not for every one.

    A node of the shape is a label `role:ShortTypeName` (the role, then the execution type
    name after its last dot); the shape has one node per distinct label among the
    graphlet's members, and an edge `a>b` when some member labelled `a` feeds some member
    labelled `b` (int_edges restricted to pairs of members of the same graphlet, history
    edges left out as the walks leave them out: docs/semantics.md section 2). So the shape is the
    component-level topology: a rolling window that reads 3 or 7 ingestion runs, or a
    cached re-run next to the run that did the work, does not change it; how many
    executions a graphlet has is its size, reported next to the shape.

    The signature lists nodes, then edges, in pipeline role order (macro
    report_role_order), then label text: `n1;n2;... | a>b;c>d;...`. `shape_id` is the
    first 16 hex digits of its md5, stable across builds and warehouses. -#}
{{ config(schema='intermediate') }}
with

shape_keys as (
    select * from {{ ref('int_graphlet_shape_keys') }}
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

examples as (
    select
        shape_key,
        min(graphlet_id) as example_graphlet_id,
    from shape_keys
    group by shape_key
),

labelled_members as (
    select
        examples.shape_key,
        graphlet_members.execution_id,
        {{ report_node_label('executions.role', 'executions.type_name') }} as node_label,
        {{ report_role_order('executions.role') }} as role_order,
    from examples
    inner join graphlet_members
        on examples.example_graphlet_id = graphlet_members.graphlet_id
    inner join executions
        on graphlet_members.execution_id = executions.execution_id
),

shape_nodes as (
    select distinct shape_key, node_label, role_order
    from labelled_members
),

shape_edges as (
    select distinct
        producers.shape_key,
        producers.node_label as from_label,
        producers.role_order as from_order,
        consumers.node_label as to_label,
        consumers.role_order as to_order,
    {{ report_member_edges('labelled_members', 'shape_key') }}
),

node_lists as (
    select
        shape_key,
        {{ graphlets_list_agg('node_label', ['role_order', 'node_label']) }} as node_labels,
    from shape_nodes
    group by shape_key
),

edge_lists as (
    select
        shape_key,
        {{ graphlets_list_agg(
            "from_label || '>' || to_label",
            ['from_order', 'from_label', 'to_order', 'to_label'],
        ) }} as edge_labels,
        {{ graphlets_list_agg(
            graphlets_struct({
                'from_label': 'cast(from_label as varchar)',
                'to_label': 'cast(to_label as varchar)',
            }),
            ['from_order', 'from_label', 'to_order', 'to_label'],
        ) }} as edge_pairs,
    from shape_edges
    group by shape_key
),

signed as (
    select
        examples.shape_key,
        examples.example_graphlet_id,
        node_lists.node_labels,
        coalesce(edge_lists.edge_labels, {{ graphlets_empty_list('varchar') }}) as edge_labels,
        coalesce(
            edge_lists.edge_pairs,
            {{ graphlets_empty_list('struct(from_label varchar, to_label varchar)') }}
        ) as edge_pairs,
        {{ graphlets_list_join('node_lists.node_labels', "';'") }}
            || ' | '
            || {{ graphlets_list_join(
                'coalesce(edge_lists.edge_labels, ' ~ graphlets_empty_list('varchar') ~ ')', "';'"
            ) }}
            as shape_signature,
    from examples
    inner join node_lists
        on examples.shape_key = node_lists.shape_key
    left join edge_lists
        on examples.shape_key = edge_lists.shape_key
),

final as (
    select
        shape_key,
        left(md5(shape_signature), 16) as shape_id,
        shape_signature,
        node_labels,
        edge_labels,
        edge_pairs,
        {{ graphlets_list_length('node_labels') }} as n_nodes,
        {{ graphlets_list_length('edge_labels') }} as n_edges,
        example_graphlet_id,
    from signed
)

select * from final
