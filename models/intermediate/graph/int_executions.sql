{#- The canonical execution: pipeline, node, role, state, time and cost (docs/semantics.md section 1),
    the same for every source. Each source kind provides its rows (`int_<kind>_graph_executions`)
    and role fields (`int_<kind>_role_fields`, macros/graph_sources.sql); the rules here are
    source-neutral: the explicit role marker, else the role rules (seeds/role_rules.csv), and
    the cost rule (section 1.8). -#}
with

executions as (
    {{ graph_source_union('graph_executions') }}
),

role_fields as (
    {{ graph_source_union('role_fields') }}
),

role_rules as (
    select * from {{ ref('role_rules') }}
),

known_roles as (
    select * from {{ ref('component_role_order') }}
),

role_cost_weights as (
    select * from {{ ref('role_cost_weights') }}
),

-- The explicit marker `graphlets_role` wins when it names a known role (any case, trimmed);
-- several markers: the smallest role in text order.
marked_roles as (
    select role_fields.execution_id, min(known_roles.role) as role
    from role_fields
    inner join known_roles
        on lower(trim(role_fields.value)) = known_roles.role
    where role_fields.field = 'graphlets_role'
    group by role_fields.execution_id
),

-- Rules are matched once per distinct (source kind, field, value): a rule applies to its
-- source kind (or to every kind: `*`) and field, its pattern a case-insensitive LIKE.
field_values as (
    select distinct source_kind, field, value
    from role_fields
    where field <> 'graphlets_role'
),

value_matches as (
    select
        field_values.source_kind,
        field_values.field,
        field_values.value,
        role_rules.role,
        role_rules.priority,
        role_rules.pattern,
    from field_values
    inner join role_rules
        on role_rules.source_kind in ('*', field_values.source_kind)
        and role_rules.field = field_values.field
        and field_values.value ilike role_rules.pattern
),

-- Over all of an execution's fields: the lowest priority wins, then the longer pattern,
-- then the pattern, field and role in text order (a stable pick).
rule_roles as (
    {% call graphlets_qualify(
        'row_number() over (
            partition by role_fields.execution_id
            order by value_matches.priority, length(value_matches.pattern) desc,
                value_matches.pattern, value_matches.field, value_matches.role
        )',
        '= 1') -%}
    select role_fields.execution_id, value_matches.role
    from role_fields
    inner join value_matches
        on role_fields.source_kind = value_matches.source_kind
        and role_fields.field = value_matches.field
        and role_fields.value = value_matches.value
    {%- endcall %}
),

joined as (
    select
        executions.*,
        coalesce(marked_roles.role, rule_roles.role, 'other') as role,
        coalesce(executions.cost_property_value >= 0, false) as is_valid_cost,
    from executions
    left join marked_roles
        on executions.execution_id = marked_roles.execution_id
    left join rule_roles
        on executions.execution_id = rule_roles.execution_id
),

costed as (
    select
        joined.*,
        case
            when joined.state = 'CACHED' then 'cached'
            when joined.is_valid_cost then 'property'
            when joined.recorded_duration_seconds >= 0 then 'duration'
            else 'unknown_duration'
        end as cost_basis,
        coalesce(role_cost_weights.weight, 1.0) as role_weight,
    from joined
    left join role_cost_weights
        on joined.role = role_cost_weights.role
),

final as (
    select
        execution_id,
        source_id,
        source_execution_id,
        source_id || '/' || coalesce(pipeline_name, '(none)') as pipeline_id,
        coalesce(pipeline_name, '(none)') as pipeline_name,
        -- Node: the source's node, else the type name.
        coalesce(node_id, type_name, '(unknown type)') as node_id,
        coalesce(type_name, '(unknown type)') as type_name,
        role,
        state,
        started_at,
        ended_at,
        case when recorded_duration_seconds >= 0 then recorded_duration_seconds end
            as duration_seconds,
        case cost_basis
            when 'cached' then 0.0
            when 'property' then cost_property_value
            when 'duration' then recorded_duration_seconds * role_weight
            else 0.0
        end as cost,
        cost_basis,
        -- present but not a finite non-negative int/double: ignored, counted by a test
        coalesce(has_cost_property, false) and not is_valid_cost as has_invalid_cost_property,
        n_pipeline_contexts,
        source_kind,
        source_execution_key,
        execution_name,
    from costed
)

select * from final
