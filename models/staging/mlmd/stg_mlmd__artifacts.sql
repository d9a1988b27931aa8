with

artifacts as (
    select * from {{ source('raw', 'mlmd_artifact') }}
),

final as (
    select
        source_id,
        id as source_artifact_id,
        type_id,
        uri,
        case state
            when 1 then 'PENDING'
            when 2 then 'LIVE'
            when 3 then 'MARKED_FOR_DELETION'
            when 4 then 'DELETED'
            when 5 then 'ABANDONED'
            when 6 then 'REFERENCE'
            else 'UNKNOWN'
        end as state,
        name as artifact_name,
        external_id,
        {{ mlmd_timestamp('create_time_since_epoch') }} as created_at,
        {{ mlmd_timestamp('last_update_time_since_epoch') }} as updated_at,
        _load_id,
    from artifacts
)

select * from final
