with

parent_contexts as (
    select * from {{ source('raw', 'mlmd_parent_context') }}
),

final as (
    select
        source_id,
        context_id,
        parent_context_id,
    from parent_contexts
)

select * from final
