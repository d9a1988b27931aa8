{{ config(severity='warn') }}
-- Spec section 8: events whose execution or artifact does not exist take no part in the
-- graph. One row per such event.
with

events as (
    select * from {{ ref('stg_mlmd__events') }}
),

executions as (
    select * from {{ ref('stg_mlmd__executions') }}
),

artifacts as (
    select * from {{ ref('stg_mlmd__artifacts') }}
)

select
    events.source_id,
    events.source_event_id,
    events.source_execution_id,
    events.source_artifact_id,
    executions.execution_id is null as is_missing_execution,
    artifacts.artifact_id is null as is_missing_artifact,
from events
left join executions
    on events.execution_id = executions.execution_id
left join artifacts
    on events.artifact_id = artifacts.artifact_id
where executions.execution_id is null or artifacts.artifact_id is null
