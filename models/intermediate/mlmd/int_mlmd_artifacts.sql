{#- Every MLMD artifact with its warehouse key and type name (docs/semantics.md section 1). -#}
{{ config(materialized='view') }}
with

artifacts as (
    select * from {{ ref('stg_mlmd__artifacts') }}
),

sources as (
    select * from {{ ref('stg_mlmd__sources') }}
),

types as (
    select * from {{ ref('stg_mlmd__types') }}
),

final as (
    select
        {{ warehouse_key('sources.source_key', 'artifacts.source_artifact_id') }}
            as artifact_id,
        artifacts.source_id,
        artifacts.source_artifact_id,
        artifacts.type_id,
        types.type_name,
        artifacts.uri,
        artifacts.state,
        artifacts.artifact_name,
        artifacts.external_id,
        artifacts.created_at,
        artifacts.updated_at,
    from artifacts
    inner join sources
        on artifacts.source_id = sources.source_id
    left join types
        on artifacts.source_id = types.source_id
        and artifacts.type_id = types.type_id
)

select * from final
