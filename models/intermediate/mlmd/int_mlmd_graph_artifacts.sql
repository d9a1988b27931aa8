{#- The MLMD source's artifacts in the graph contract (macros/graph_sources.sql; docs/semantics.md
    sections 1, 3): type, span and the `blessed` / `pushed` flags read with the MLMD value
    rules (macros/mlmd_values.sql), and the content `fingerprint`, a string property of that
    name where the writer records one (docs/semantics.md section 9). `artifact_name` is the MLMD name, else the
    `display_name` property Kubeflow Pipelines v2 writes. -#}
{{ config(materialized='view') }}
with

artifacts as (
    select * from {{ ref('int_mlmd_artifacts') }}
),

properties as (
    select * from {{ ref('stg_mlmd__artifact_properties') }}
),

-- Declared and custom properties are read alike, the declared one winning on a clash.
named_properties as (
    {% call graphlets_qualify(
        'row_number() over (partition by source_id, source_artifact_id, property_name order by is_custom_property)',
        '= 1') -%}
    select *
    from properties
    where property_name in ('span', 'blessed', 'pushed', 'display_name', 'fingerprint')
    {%- endcall %}
),

pivoted as (
    select
        source_id,
        source_artifact_id,
        max(case when property_name = 'span' then number_value end) as span_value,
        bool_or(case when property_name = 'blessed' then flag_value end) as blessed,
        bool_or(case when property_name = 'pushed' then flag_value end) as pushed,
        max(case when property_name = 'display_name' then string_value end) as display_name,
        max(case when property_name = 'fingerprint' then string_value end) as fingerprint,
    from named_properties
    group by source_id, source_artifact_id
),

final as (
    select
        artifacts.artifact_id,
        artifacts.source_id,
        'mlmd' as source_kind,
        artifacts.source_artifact_id,
        cast(artifacts.source_artifact_id as varchar) as source_artifact_key,
        coalesce(nullif(artifacts.artifact_name, ''), pivoted.display_name) as artifact_name,
        artifacts.type_name,
        artifacts.uri,
        artifacts.state,
        cast(pivoted.span_value as bigint) as span,
        pivoted.blessed,
        pivoted.pushed,
        artifacts.created_at,
        nullif(trim(pivoted.fingerprint), '') as fingerprint,
    from artifacts
    left join pivoted
        on artifacts.source_id = pivoted.source_id
        and artifacts.source_artifact_id = pivoted.source_artifact_id
)

select * from final
