{#- The MLMD source's role fields (docs/semantics.md section 1.4): one row per (execution, field)
    that the role rules of seeds/role_rules.csv may match. `type_name` for every typed
    execution (TFX names its types after the component class); the custom or declared
    properties `task_name`, `display_name` and `image` that Kubeflow Pipelines v2 writes;
    and `graphlets_role`, the explicit role marker that overrides the rules. -#}
{{ config(materialized='view') }}
with

executions as (
    select * from {{ ref('int_mlmd_executions') }}
),

properties as (
    select * from {{ ref('stg_mlmd__execution_properties') }}
),

-- Declared and custom properties are read alike, the declared one winning on a clash.
named_properties as (
    {% call graphlets_qualify(
        'row_number() over (partition by source_id, source_execution_id, property_name order by is_custom_property)',
        '= 1') -%}
    select *
    from properties
    where
        property_name in ('task_name', 'display_name', 'image', 'graphlets_role')
        and string_value is not null
    {%- endcall %}
),

type_fields as (
    select execution_id, 'type_name' as field, type_name as value
    from executions
    where type_name is not null
),

property_fields as (
    select executions.execution_id, named_properties.property_name as field,
        named_properties.string_value as value
    from named_properties
    inner join executions
        on named_properties.source_id = executions.source_id
        and named_properties.source_execution_id = executions.source_execution_id
),

final as (
    select execution_id, 'mlmd' as source_kind, field, value from type_fields
    union all
    select execution_id, 'mlmd' as source_kind, field, value from property_fields
)

select * from final
