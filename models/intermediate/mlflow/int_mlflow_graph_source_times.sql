{#- The MLflow source's clock (docs/semantics.md section 3.2): the latest execution end (runs
    and registrations) and the latest event time. -#}
{{ config(materialized='view') }}
with

executions as (
    select * from {{ ref('int_mlflow_graph_executions') }}
),

events as (
    select * from {{ ref('int_mlflow_events') }}
),

sources as (
    select * from {{ ref('stg_mlflow__sources') }}
),

final as (
    select
        sources.source_id,
        (select max(ended_at) from executions where executions.source_id = sources.source_id)
            as last_execution_end_at,
        (select max(event_at) from events where events.source_id = sources.source_id)
            as last_event_at,
    from sources
)

select * from final
