{#- The MLflow source's events in the graph contract (docs/semantics.md section 1.2;
    docs/mlflow.md section 3.2), from int_mlflow_events. `event_type` is MLflow's edge kind
    as the graph names it (INPUT, OUTPUT); `event_id` numbers a source's events by
    execution, artifact and direction (not kept across loads, as OpenLineage's). -#}
{{ config(materialized='view') }}
with

events as (
    select * from {{ ref('int_mlflow_events') }}
),

sources as (
    select * from {{ ref('stg_mlflow__sources') }}
),

final as (
    select
        {{ warehouse_key(
            'sources.source_key',
            'row_number() over (partition by events.source_id order by '
            ~ 'events.execution_key_id, events.artifact_key_id, events.direction, '
            ~ 'events.event_key)'
        ) }} as event_id,
        events.source_id,
        'mlflow' as source_kind,
        {{ warehouse_key('sources.source_key', 'events.execution_key_id') }} as execution_id,
        {{ warehouse_key('sources.source_key', 'events.artifact_key_id') }} as artifact_id,
        events.direction,
        upper(events.direction) as event_type,
        events.event_key,
        events.event_at,
    from events
    inner join sources
        on events.source_id = sources.source_id
)

select * from final
