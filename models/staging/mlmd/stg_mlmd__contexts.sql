with

contexts as (
    select * from {{ source('raw', 'mlmd_context') }}
),

final as (
    select
        source_id,
        id as context_id,
        type_id,
        name as context_name,
        {{ mlmd_timestamp('create_time_since_epoch') }} as created_at,
    from contexts
)

select * from final
