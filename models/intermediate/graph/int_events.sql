{#- Usable input/output events with their key (docs/semantics.md section 1). Events of other types, and
    events whose execution or artifact does not exist, take no part in the graph (the
    latter are counted by the data-quality test dq_events_with_missing_rows). -#}
with

events as (
    select * from {{ ref('int_mlmd_events') }}
),

event_paths as (
    select * from {{ ref('stg_mlmd__event_paths') }}
),

executions as (
    select * from {{ ref('int_mlmd_executions') }}
),

artifacts as (
    select * from {{ ref('int_mlmd_artifacts') }}
),

-- The key step of the path; where there are several, the smallest key in text order.
event_keys as (
    select source_id, source_event_id, min(step_key) as event_key
    from event_paths
    where not is_index_step and step_key is not null
    group by source_id, source_event_id
),

final as (
    select
        events.event_id,
        events.source_id,
        events.execution_id,
        events.artifact_id,
        events.direction,
        events.event_type,
        event_keys.event_key,
        coalesce(
            event_keys.event_key in (
                {%- for key in var('graphlets_baseline_keys') %}
                '{{ key }}'{{ "," if not loop.last }}
                {%- endfor %}
            ),
            false
        ) as is_baseline_key,
        events.event_at,
    from events
    inner join executions
        on events.execution_id = executions.execution_id
    inner join artifacts
        on events.artifact_id = artifacts.artifact_id
    left join event_keys
        on events.source_id = event_keys.source_id
        and events.source_event_id = event_keys.source_event_id
    where events.direction is not null
)

select * from final
