{#- The roles of docs/semantics.md section 1 in pipeline order (ingest first, push last): the order in
    which reports list roles and in which a graphlet shape's signature lists its nodes.
    The order is defined once, by seed `component_role_order` (role, position); this
    expression is the role's place in that list (1 = first; the seed's positions are
    1..n, a test of rpt_report_roles checks it). A role the seed does not know sorts
    last (99). The subquery does not depend on the row, so it is evaluated once. -#}
{% macro report_role_order(role_column) -%}
    {{ return(adapter.dispatch('report_role_order', 'graphlets')(role_column)) }}
{%- endmacro %}

{% macro spark__report_role_order(role_column) -%}
    coalesce(
        nullif(
            array_position(
                (
                    select transform(
                        array_sort(collect_list(struct(role_order.position, role_order.role))),
                        entry -> entry.role
                    )
                    from {{ ref('component_role_order') }} as role_order
                ),
                {{ role_column }}
            ),
            0
        ),
        99
    )
{%- endmacro %}

{% macro default__report_role_order(role_column) -%}
    coalesce(
        list_position(
            (
                select list(role_order.role order by role_order.position nulls first)
                from {{ ref('component_role_order') }} as role_order
            ),
            {{ role_column }}
        ),
        99
    )
{%- endmacro %}

{#- The label of an execution in a graphlet shape: `role:ShortTypeName`, the type name
    after its last dot (the full name when it ends with a dot). -#}
{% macro report_node_label(role_column, type_name_column) -%}
    {{ role_column }}
        || ':'
        || coalesce(
            nullif({{ graphlets_regexp_extract(type_name_column, "'[^.]*$'") }}, ''),
            {{ type_name_column }}
        )
{%- endmacro %}

{#- The join of a graphlet shape's edges: int_edges (as `edges`) between two members of
    one group (`group_column`: a graphlet or a shape), history edges left out as the walks
    leave them out (docs/semantics.md section 2). Selects from `producers` and `consumers`. -#}
{% macro report_member_edges(members, group_column) -%}
    from edges
    inner join {{ members }} as producers
        on edges.producer_execution_id = producers.execution_id
    inner join {{ members }} as consumers
        on edges.consumer_execution_id = consumers.execution_id
        and producers.{{ group_column }} = consumers.{{ group_column }}
    where not edges.is_same_node
{%- endmacro %}
