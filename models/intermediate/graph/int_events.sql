{#- Usable input/output events with their key (docs/semantics.md section 1), the same for every
    source: the union of each source kind's `int_<kind>_graph_events` (macros/graph_sources.sql).
    Events without a direction, and events whose execution or artifact is not in the graph
    (missing from the source, or not a member: a Kubeflow DAG execution), take no part in it
    (missing rows are counted by the data-quality test dq_events_with_missing_rows). -#}
with

events as (
    {{ graph_source_union('graph_events') }}
),

executions as (
    select * from {{ ref('int_executions') }}
),

artifacts as (
    select * from {{ ref('int_artifacts') }}
),

final as (
    select
        events.event_id,
        events.source_id,
        events.execution_id,
        events.artifact_id,
        events.direction,
        events.event_type,
        events.event_key,
        coalesce(
            events.event_key in (
                {%- for key in var('graphlets_baseline_keys') %}
                '{{ key }}'{{ "," if not loop.last }}
                {%- endfor %}
            ),
            false
        ) as is_baseline_key,
        events.event_at,
        events.source_kind,
    from events
    inner join executions
        on events.execution_id = executions.execution_id
    inner join artifacts
        on events.artifact_id = artifacts.artifact_id
    where events.direction is not null
)

select * from final
