with

associations as (
    select * from {{ source('raw', 'mlmd_association') }}
),

final as (
    select
        source_id,
        id as association_id,
        context_id,
        execution_id as source_execution_id,
        _load_id,
    from associations
)

select * from final
