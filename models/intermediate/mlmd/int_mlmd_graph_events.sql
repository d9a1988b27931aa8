{#- The MLMD source's events in the graph contract (macros/graph_sources.sql; docs/semantics.md
    section 1.2), every type, with their direction (NULL: not part of the graph) and their
    key: the key step of the path (TFX writes a key step then an index step, Kubeflow
    Pipelines v2 a single key step); where there are several, the smallest key in text
    order. int_events keeps the usable ones. -#}
{{ config(materialized='view') }}
with

events as (
    select * from {{ ref('int_mlmd_events') }}
),

event_paths as (
    select * from {{ ref('stg_mlmd__event_paths') }}
),

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
        'mlmd' as source_kind,
        events.execution_id,
        events.artifact_id,
        events.direction,
        events.event_type,
        event_keys.event_key,
        events.event_at,
    from events
    left join event_keys
        on events.source_id = event_keys.source_id
        and events.source_event_id = event_keys.source_event_id
)

select * from final
