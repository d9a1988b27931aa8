with

events as (
    select * from {{ source('raw', 'mlmd_event') }}
),

sources as (
    select * from {{ ref('stg_mlmd__sources') }}
),

final as (
    select
        {{ warehouse_key('sources.source_key', 'events.id') }} as event_id,
        events.source_id,
        events.id as source_event_id,
        events.execution_id as source_execution_id,
        events.artifact_id as source_artifact_id,
        {{ warehouse_key('sources.source_key', 'events.execution_id') }} as execution_id,
        {{ warehouse_key('sources.source_key', 'events.artifact_id') }} as artifact_id,
        case events.type
            when 1 then 'DECLARED_OUTPUT'
            when 2 then 'DECLARED_INPUT'
            when 3 then 'INPUT'
            when 4 then 'OUTPUT'
            when 5 then 'INTERNAL_INPUT'
            when 6 then 'INTERNAL_OUTPUT'
            when 7 then 'PENDING_OUTPUT'
            else 'UNKNOWN'
        end as event_type,
        -- Spec section 1: INPUT/DECLARED_INPUT are inputs, OUTPUT/DECLARED_OUTPUT outputs;
        -- INTERNAL_* and PENDING_OUTPUT take no part in the graph.
        case
            when events.type in (2, 3) then 'input'
            when events.type in (1, 4) then 'output'
        end as direction,
        events.milliseconds_since_epoch as event_ms,
        {{ mlmd_timestamp('events.milliseconds_since_epoch') }} as event_at,
    from events
    inner join sources
        on events.source_id = sources.source_id
)

select * from final
