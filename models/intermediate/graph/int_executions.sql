{#- The canonical execution: pipeline, node, role, state, time and cost (docs/semantics.md section 1). -#}
with

executions as (
    select * from {{ ref('int_mlmd_executions') }}
),

contexts as (
    select * from {{ ref('int_mlmd_contexts') }}
),

associations as (
    select * from {{ ref('stg_mlmd__associations') }}
),

parent_contexts as (
    select * from {{ ref('stg_mlmd__parent_contexts') }}
),

properties as (
    select * from {{ ref('stg_mlmd__execution_properties') }}
),

component_roles as (
    select * from {{ ref('component_roles') }}
),

role_cost_weights as (
    select * from {{ ref('role_cost_weights') }}
),

pipeline_contexts as (
    select source_id, context_id, context_name
    from contexts
    -- TFX writes `pipeline`; Kubeflow Pipelines v2 writes `system.Pipeline`.
    where type_name in ('pipeline', 'system.Pipeline')
),

-- An execution belongs to a pipeline context directly (TFX) or through a run context whose
-- parent is the pipeline context (Kubeflow Pipelines v2).
pipeline_links as (
    select associations.source_id, associations.source_execution_id,
        pipeline_contexts.context_id, pipeline_contexts.context_name
    from associations
    inner join pipeline_contexts
        on associations.source_id = pipeline_contexts.source_id
        and associations.context_id = pipeline_contexts.context_id
    union
    select associations.source_id, associations.source_execution_id,
        pipeline_contexts.context_id, pipeline_contexts.context_name
    from associations
    inner join parent_contexts
        on associations.source_id = parent_contexts.source_id
        and associations.context_id = parent_contexts.context_id
    inner join pipeline_contexts
        on parent_contexts.source_id = pipeline_contexts.source_id
        and parent_contexts.parent_context_id = pipeline_contexts.context_id
),

-- Several pipeline contexts: the lowest context id wins (counted by a data-quality test).
execution_pipelines as (
    select
        source_id,
        source_execution_id,
        arg_min(context_name, context_id) as pipeline_name,
        count(distinct context_id) as n_pipeline_contexts,
    from pipeline_links
    group by source_id, source_execution_id
),

execution_nodes as (
    select
        associations.source_id,
        associations.source_execution_id,
        arg_min(contexts.context_name, contexts.context_id) as node_context_name,
    from associations
    inner join contexts
        on associations.source_id = contexts.source_id
        and associations.context_id = contexts.context_id
    where contexts.type_name = 'node'
    group by associations.source_id, associations.source_execution_id
),

-- Declared and custom properties are read alike, the declared one winning on a clash.
named_properties as (
    select *
    from properties
    where property_name in ('component_id', '{{ var("graphlets_cost_property") }}')
    qualify row_number() over (
        partition by source_id, source_execution_id, property_name
        order by is_custom_property
    ) = 1
),

component_ids as (
    select source_id, source_execution_id, string_value as component_id
    from named_properties
    where property_name = 'component_id'
),

cost_properties as (
    select
        source_id,
        source_execution_id,
        number_value as cost_value,
        coalesce(number_value >= 0, false) as is_valid_cost,
    from named_properties
    where property_name = '{{ var("graphlets_cost_property") }}'
),

-- Roles: the matching pattern with the lowest priority, ties to the smaller pattern.
type_names as (
    select distinct type_name from executions where type_name is not null
),

type_roles as (
    select type_names.type_name, component_roles.role
    from type_names
    inner join component_roles
        on type_names.type_name like component_roles.type_pattern
    qualify row_number() over (
        partition by type_names.type_name
        order by component_roles.priority, component_roles.type_pattern
    ) = 1
),

joined as (
    select
        executions.*,
        coalesce(execution_pipelines.pipeline_name, '(none)') as pipeline_name,
        coalesce(execution_pipelines.n_pipeline_contexts, 0) as n_pipeline_contexts,
        execution_nodes.node_context_name,
        component_ids.component_id,
        coalesce(type_roles.role, 'other') as role,
        cost_properties.cost_value,
        cost_properties.is_valid_cost,
        case
            when executions.created_ms > 0 and executions.updated_ms > 0
                then (executions.updated_ms - executions.created_ms) / 1000.0
        end as recorded_duration_seconds,
    from executions
    left join execution_pipelines
        on executions.source_id = execution_pipelines.source_id
        and executions.source_execution_id = execution_pipelines.source_execution_id
    left join execution_nodes
        on executions.source_id = execution_nodes.source_id
        and executions.source_execution_id = execution_nodes.source_execution_id
    left join component_ids
        on executions.source_id = component_ids.source_id
        and executions.source_execution_id = component_ids.source_execution_id
    left join cost_properties
        on executions.source_id = cost_properties.source_id
        and executions.source_execution_id = cost_properties.source_execution_id
    left join type_roles
        on executions.type_name = type_roles.type_name
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
        source_id || '/' || pipeline_name as pipeline_id,
        pipeline_name,
        -- Node: the node context's name without the `<pipeline>.` prefix, else the
        -- `component_id` property, else the type name.
        coalesce(
            case
                when starts_with(node_context_name, pipeline_name || '.')
                    then node_context_name[length(pipeline_name) + 2:]
                else node_context_name
            end,
            component_id,
            type_name,
            '(unknown type)'
        ) as node_id,
        coalesce(type_name, '(unknown type)') as type_name,
        role,
        state,
        started_at,
        ended_at,
        case when recorded_duration_seconds >= 0 then recorded_duration_seconds end
            as duration_seconds,
        case cost_basis
            when 'cached' then 0.0
            when 'property' then cost_value
            when 'duration' then recorded_duration_seconds * role_weight
            else 0.0
        end as cost,
        cost_basis,
        -- present but not a finite non-negative int/double: ignored, counted by a test
        coalesce(not is_valid_cost, false) as has_invalid_cost_property,
        n_pipeline_contexts,
    from costed
)

select * from final
