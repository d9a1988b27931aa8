{#- One row per graphlet shape: the component-level topology of a graphlet (see
    int_graphlet_signatures), how many graphlets and pipelines share it, their typical
    size and cost, and node/edge lists a report can draw from. -#}
with

signatures as (
    select * from {{ ref('int_graphlet_signatures') }}
),

shape_definitions as (
    select * from {{ ref('int_graphlet_shape_definitions') }}
),

graphlet_members as (
    select * from {{ ref('fct_graphlet_executions') }}
),

executions as (
    select * from {{ ref('fct_executions') }}
),

shape_totals as (
    select
        shape_id,
        count(*) as n_graphlets,
        count(distinct pipeline_id) as n_pipelines,
        count(distinct source_id) as n_sources,
        count(*) filter (where is_pushed) as n_pushed,
        min(n_executions) as min_n_executions,
        median(n_executions) as median_n_executions,
        max(n_executions) as max_n_executions,
        median(total_cost) as median_total_cost,
        avg(total_cost) as mean_total_cost,
        sum(attributed_cost) as attributed_cost,
        min(graphlet_id) as example_graphlet_id,
    from signatures
    group by shape_id
),

shape_graphlets as (
    select
        shape_totals.*,
        shape_definitions.shape_signature,
        shape_definitions.node_labels,
        shape_definitions.edge_labels,
        shape_definitions.edge_pairs,
        shape_definitions.n_nodes,
        shape_definitions.n_edges,
    from shape_totals
    inner join shape_definitions
        on shape_totals.shape_id = shape_definitions.shape_id
),

labelled_executions as (
    select
        execution_id,
        role,
        {{ report_node_label('role', 'type_name') }} as node_label,
    from executions
),

-- Where each node of a shape sits: its members' signed distance from the anchor
-- (upstream negative, the trainer 0, downstream positive), median over the shape's
-- graphlets; and how many executions carry the label in a graphlet, on average.
member_positions as (
    select
        signatures.shape_id,
        signatures.graphlet_id,
        labelled_executions.node_label,
        labelled_executions.role,
        case graphlet_members.relation
            when 'upstream' then -graphlet_members.hops
            when 'downstream' then graphlet_members.hops
            else 0
        end as signed_hops,
    from graphlet_members
    inner join signatures
        on graphlet_members.graphlet_id = signatures.graphlet_id
    inner join labelled_executions
        on graphlet_members.execution_id = labelled_executions.execution_id
),

shape_nodes as (
    select
        member_positions.shape_id,
        member_positions.node_label,
        any_value(member_positions.role) as role,
        {{ report_role_order('any_value(member_positions.role)') }} as role_order,
        median(member_positions.signed_hops) as median_signed_hops,
        count(*) / any_value(shape_graphlets.n_graphlets) as executions_per_graphlet,
    from member_positions
    inner join shape_graphlets
        on member_positions.shape_id = shape_graphlets.shape_id
    group by member_positions.shape_id, member_positions.node_label
),

node_documents as (
    select
        shape_id,
        {{ graphlets_to_json(graphlets_list_agg(
            graphlets_struct({
                'label': 'cast(node_label as varchar)',
                'role': 'cast(role as varchar)',
                'median_signed_hops': 'cast(median_signed_hops as double)',
                'executions_per_graphlet': 'cast(executions_per_graphlet as double)',
            }),
            ['role_order', 'node_label'],
        )) }} as nodes_json,
    from shape_nodes
    group by shape_id
),

final as (
    select
        shape_graphlets.shape_id,
        row_number() over (
            order by shape_graphlets.n_graphlets desc, shape_graphlets.shape_signature
        ) as shape_rank,
        shape_graphlets.shape_signature,
        shape_graphlets.n_nodes,
        shape_graphlets.n_edges,
        shape_graphlets.node_labels,
        shape_graphlets.edge_labels,
        node_documents.nodes_json,
        {{ graphlets_to_json('shape_graphlets.edge_pairs') }} as edges_json,
        shape_graphlets.n_graphlets,
        shape_graphlets.n_graphlets / sum(shape_graphlets.n_graphlets) over ()
            as share_of_graphlets,
        shape_graphlets.n_pipelines,
        shape_graphlets.n_sources,
        shape_graphlets.n_pushed,
        shape_graphlets.n_pushed / shape_graphlets.n_graphlets as pushed_share,
        shape_graphlets.min_n_executions,
        shape_graphlets.median_n_executions,
        shape_graphlets.max_n_executions,
        shape_graphlets.median_total_cost,
        shape_graphlets.mean_total_cost,
        shape_graphlets.attributed_cost,
        shape_graphlets.example_graphlet_id,
    from shape_graphlets
    inner join node_documents
        on shape_graphlets.shape_id = node_documents.shape_id
)

select * from final
