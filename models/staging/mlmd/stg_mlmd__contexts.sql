with

contexts as (
    select * from {{ source('raw', 'mlmd_context') }}
),

types as (
    select * from {{ ref('stg_mlmd__types') }}
),

final as (
    select
        contexts.source_id,
        contexts.id as context_id,
        contexts.type_id,
        types.type_name,
        contexts.name as context_name,
        {{ mlmd_timestamp('contexts.create_time_since_epoch') }} as created_at,
    from contexts
    left join types
        on contexts.source_id = types.source_id
        and contexts.type_id = types.type_id
)

select * from final
