with

events as (
    select * from {{ source('raw', 'mlmd_event') }}
),

final as (
    select
        source_id,
        id as source_event_id,
        execution_id as source_execution_id,
        artifact_id as source_artifact_id,
        case type
            when 1 then 'DECLARED_OUTPUT'
            when 2 then 'DECLARED_INPUT'
            when 3 then 'INPUT'
            when 4 then 'OUTPUT'
            when 5 then 'INTERNAL_INPUT'
            when 6 then 'INTERNAL_OUTPUT'
            when 7 then 'PENDING_OUTPUT'
            else 'UNKNOWN'
        end as event_type,
        -- docs/semantics.md section 1: INPUT/DECLARED_INPUT are inputs, OUTPUT/DECLARED_OUTPUT outputs;
        -- INTERNAL_* and PENDING_OUTPUT take no part in the graph.
        case
            when type in (2, 3) then 'input'
            when type in (1, 4) then 'output'
        end as direction,
        milliseconds_since_epoch as event_ms,
        {{ mlmd_timestamp('milliseconds_since_epoch') }} as event_at,
        _load_id,
    from events
)

select * from final
