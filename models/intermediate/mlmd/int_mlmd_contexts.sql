{#- Every MLMD context with its type name (pipeline, node, system.Pipeline...). -#}
{{ config(materialized='view') }}
with

contexts as (
    select * from {{ ref('stg_mlmd__contexts') }}
),

types as (
    select * from {{ ref('stg_mlmd__types') }}
),

final as (
    select
        contexts.source_id,
        contexts.context_id,
        contexts.type_id,
        types.type_name,
        contexts.context_name,
        contexts.created_at,
    from contexts
    left join types
        on contexts.source_id = types.source_id
        and contexts.type_id = types.type_id
)

select * from final
