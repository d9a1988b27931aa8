with

artifacts as (
    select * from {{ source('raw', 'mlmd_artifact') }}
),

sources as (
    select * from {{ ref('stg_mlmd__sources') }}
),

types as (
    select * from {{ ref('stg_mlmd__types') }}
),

final as (
    select
        {{ warehouse_key('sources.source_key', 'artifacts.id') }} as artifact_id,
        artifacts.source_id,
        artifacts.id as source_artifact_id,
        artifacts.type_id,
        types.type_name,
        artifacts.uri,
        case artifacts.state
            when 1 then 'PENDING'
            when 2 then 'LIVE'
            when 3 then 'MARKED_FOR_DELETION'
            when 4 then 'DELETED'
            when 5 then 'ABANDONED'
            when 6 then 'REFERENCE'
            else 'UNKNOWN'
        end as state,
        artifacts.name as artifact_name,
        artifacts.external_id,
        {{ mlmd_timestamp('artifacts.create_time_since_epoch') }} as created_at,
        {{ mlmd_timestamp('artifacts.last_update_time_since_epoch') }} as updated_at,
    from artifacts
    inner join sources
        on artifacts.source_id = sources.source_id
    left join types
        on artifacts.source_id = types.source_id
        and artifacts.type_id = types.type_id
)

select * from final
