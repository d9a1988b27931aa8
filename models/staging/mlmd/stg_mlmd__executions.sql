with

executions as (
    select * from {{ source('raw', 'mlmd_execution') }}
),

sources as (
    select * from {{ ref('stg_mlmd__sources') }}
),

types as (
    select * from {{ ref('stg_mlmd__types') }}
),

final as (
    select
        {{ warehouse_key('sources.source_key', 'executions.id') }} as execution_id,
        executions.source_id,
        executions.id as source_execution_id,
        executions.type_id,
        types.type_name,
        case executions.last_known_state
            when 1 then 'NEW'
            when 2 then 'RUNNING'
            when 3 then 'COMPLETE'
            when 4 then 'FAILED'
            when 5 then 'CACHED'
            when 6 then 'CANCELED'
            else 'UNKNOWN'
        end as state,
        executions.name as execution_name,
        executions.external_id,
        executions.create_time_since_epoch as created_ms,
        executions.last_update_time_since_epoch as updated_ms,
        {{ mlmd_timestamp('executions.create_time_since_epoch') }} as started_at,
        {{ mlmd_timestamp('executions.last_update_time_since_epoch') }} as ended_at,
        executions._load_id,
    from executions
    inner join sources
        on executions.source_id = sources.source_id
    -- A type_id that is not an execution type leaves the type unknown (counted in
    -- audit.dq_quarantine): an artifact type's name would give the execution a role.
    left join types
        on executions.source_id = types.source_id
        and executions.type_id = types.type_id
        and types.type_kind = 'execution'
)

select * from final
