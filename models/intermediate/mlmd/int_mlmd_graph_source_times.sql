{#- The MLMD source's clock (docs/semantics.md section 3.2): per source, the latest execution end
    and the latest event time, over every execution and every event type (Kubeflow's DAG
    executions and events whose ends are missing included). int_sources takes the later. -#}
{{ config(materialized='view') }}
with

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
        coalesce(execution_ends.source_id, event_times.source_id) as source_id,
        execution_ends.last_execution_end_at,
        event_times.last_event_at,
    from execution_ends
    full outer join event_times
        on execution_ends.source_id = event_times.source_id
)

select * from final
