{#- The MLMD source's executions in the graph contract (macros/graph_sources.sql; docs/semantics.md
    section 1): pipeline, node, state, times and the explicit cost property, read the MLMD way.
    The source-neutral rules (role, cost, defaults) are applied by int_executions.
    Kubeflow Pipelines v2's `system.DAGExecution` rows (a pipeline run or a sub-DAG, whose
    time spans its tasks) are containers, not steps: they are left out of the graph. -#}
{{ config(materialized='view') }}
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
        {{ graphlets_arg_min("context_name", "context_id") }} as pipeline_name,
        count(distinct context_id) as n_pipeline_contexts,
    from pipeline_links
    group by source_id, source_execution_id
),

execution_nodes as (
    select
        associations.source_id,
        associations.source_execution_id,
        {{ graphlets_arg_min("contexts.context_name", "contexts.context_id") }} as node_context_name,
    from associations
    inner join contexts
        on associations.source_id = contexts.source_id
        and associations.context_id = contexts.context_id
    where contexts.type_name = 'node'
    group by associations.source_id, associations.source_execution_id
),

-- Declared and custom properties are read alike, the declared one winning on a clash.
named_properties as (
    {% call graphlets_qualify(
        'row_number() over (partition by source_id, source_execution_id, property_name order by is_custom_property)',
        '= 1') -%}
    select *
    from properties
    where property_name in ('component_id', 'task_name', '{{ var("graphlets_cost_property") }}')
    {%- endcall %}
),

pivoted as (
    select
        source_id,
        source_execution_id,
        max(case when property_name = 'component_id' then string_value end) as component_id,
        max(case when property_name = 'task_name' then string_value end) as task_name,
        bool_or(property_name = '{{ var("graphlets_cost_property") }}') as has_cost_property,
        max(case when property_name = '{{ var("graphlets_cost_property") }}' then number_value end)
            as cost_property_value,
    from named_properties
    group by source_id, source_execution_id
),

final as (
    select
        executions.execution_id,
        executions.source_id,
        'mlmd' as source_kind,
        executions.source_execution_id,
        cast(executions.source_execution_id as varchar) as source_execution_key,
        executions.execution_name,
        execution_pipelines.pipeline_name,
        coalesce(execution_pipelines.n_pipeline_contexts, 0) as n_pipeline_contexts,
        -- Node: the node context's name without the `<pipeline>.` prefix (TFX), else the
        -- `component_id` property (pre-1.0 TFX), else the `task_name` property (Kubeflow
        -- Pipelines v2); int_executions falls back to the type name.
        coalesce(
            case
                when {{ graphlets_starts_with(
                    "execution_nodes.node_context_name",
                    "coalesce(execution_pipelines.pipeline_name, '(none)') || '.'"
                ) }}
                    then {{ graphlets_substring_from(
                        "execution_nodes.node_context_name",
                        "length(coalesce(execution_pipelines.pipeline_name, '(none)')) + 2"
                    ) }}
                else execution_nodes.node_context_name
            end,
            pivoted.component_id,
            pivoted.task_name
        ) as node_id,
        executions.type_name,
        executions.state,
        executions.started_at,
        executions.ended_at,
        case
            when executions.created_ms > 0 and executions.updated_ms > 0
                then (executions.updated_ms - executions.created_ms) / 1000.0
        end as recorded_duration_seconds,
        pivoted.cost_property_value,
        coalesce(pivoted.has_cost_property, false) as has_cost_property,
    from executions
    left join execution_pipelines
        on executions.source_id = execution_pipelines.source_id
        and executions.source_execution_id = execution_pipelines.source_execution_id
    left join execution_nodes
        on executions.source_id = execution_nodes.source_id
        and executions.source_execution_id = execution_nodes.source_execution_id
    left join pivoted
        on executions.source_id = pivoted.source_id
        and executions.source_execution_id = pivoted.source_execution_id
    where executions.type_name is distinct from 'system.DAGExecution'
)

select * from final
