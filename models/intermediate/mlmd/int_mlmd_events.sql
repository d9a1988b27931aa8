{#- Every MLMD event, of every type, with its warehouse key and the keys of its execution
    and artifact (which need not exist: int_events keeps only the usable ones). -#}
{{ config(materialized='view') }}
with

events as (
    select * from {{ ref('stg_mlmd__events') }}
),

sources as (
    select * from {{ ref('stg_mlmd__sources') }}
),

final as (
    select
        {{ warehouse_key('sources.source_key', 'events.source_event_id') }} as event_id,
        events.source_id,
        events.source_event_id,
        events.source_execution_id,
        events.source_artifact_id,
        {{ warehouse_key('sources.source_key', 'events.source_execution_id') }}
            as execution_id,
        {{ warehouse_key('sources.source_key', 'events.source_artifact_id') }}
            as artifact_id,
        events.event_type,
        events.direction,
        events.event_ms,
        events.event_at,
    from events
    inner join sources
        on events.source_id = sources.source_id
)

select * from final
