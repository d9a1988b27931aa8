{#- One row per source with its as-of time (docs/semantics.md section 3): the latest execution end or
    event timestamp seen in it (events of every type count), never the wall clock. -#}
with

sources as (
    select * from {{ ref('stg_mlmd__sources') }}
),

executions as (
    select * from {{ ref('int_mlmd_executions') }}
),

events as (
    select * from {{ ref('int_mlmd_events') }}
),

execution_ends as (
    select source_id, max(ended_at) as last_execution_end_at
    from executions
    group by source_id
),

event_times as (
    select source_id, max(event_at) as last_event_at
    from events
    group by source_id
),

final as (
    select
        sources.source_id,
        sources.source_key,
        sources.source_kind,
        sources.location,
        greatest(execution_ends.last_execution_end_at, event_times.last_event_at)
            as as_of_at,
    from sources
    left join execution_ends
        on sources.source_id = execution_ends.source_id
    left join event_times
        on sources.source_id = event_times.source_id
)

select * from final
