with

executions as (
    select * from {{ source('raw', 'mlmd_execution') }}
),

final as (
    select
        source_id,
        id as source_execution_id,
        type_id,
        case last_known_state
            when 1 then 'NEW'
            when 2 then 'RUNNING'
            when 3 then 'COMPLETE'
            when 4 then 'FAILED'
            when 5 then 'CACHED'
            when 6 then 'CANCELED'
            else 'UNKNOWN'
        end as state,
        name as execution_name,
        external_id,
        create_time_since_epoch as created_ms,
        last_update_time_since_epoch as updated_ms,
        {{ mlmd_timestamp('create_time_since_epoch') }} as started_at,
        {{ mlmd_timestamp('last_update_time_since_epoch') }} as ended_at,
        _load_id,
    from executions
)

select * from final
