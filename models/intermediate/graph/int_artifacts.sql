{#- The canonical artifact: type, span and the `blessed` / `pushed` flags (docs/semantics.md sections 1, 3). -#}
with

artifacts as (
    select * from {{ ref('int_mlmd_artifacts') }}
),

properties as (
    select * from {{ ref('stg_mlmd__artifact_properties') }}
),

-- Declared and custom properties are read alike, the declared one winning on a clash.
named_properties as (
    select *
    from properties
    where property_name in ('span', 'blessed', 'pushed')
    qualify row_number() over (
        partition by source_id, source_artifact_id, property_name
        order by is_custom_property
    ) = 1
),

pivoted as (
    select
        source_id,
        source_artifact_id,
        max(case when property_name = 'span' then number_value end) as span_value,
        bool_or(case when property_name = 'blessed' then flag_value end) as blessed,
        bool_or(case when property_name = 'pushed' then flag_value end) as pushed,
    from named_properties
    group by source_id, source_artifact_id
),

final as (
    select
        artifacts.artifact_id,
        artifacts.source_id,
        artifacts.source_artifact_id,
        coalesce(artifacts.type_name, '(unknown type)') as type_name,
        artifacts.uri,
        artifacts.state,
        cast(pivoted.span_value as bigint) as span,
        pivoted.blessed,
        pivoted.pushed,
        artifacts.created_at,
    from artifacts
    left join pivoted
        on artifacts.source_id = pivoted.source_id
        and artifacts.source_artifact_id = pivoted.source_artifact_id
)

select * from final
