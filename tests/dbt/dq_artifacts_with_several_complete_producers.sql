{{ config(severity='warn') }}
-- Spec section 8: an artifact output by two or more COMPLETE executions (resolvers are
-- not producers; a CACHED re-emission next to the original run is normal and not
-- counted). One row per such artifact.
with

executions as (
    select * from {{ ref('int_executions') }}
),

events as (
    select * from {{ ref('int_events') }}
)

select
    events.artifact_id,
    any_value(events.source_id) as source_id,
    count(distinct events.execution_id) as n_complete_producers
from events
inner join executions
    on events.execution_id = executions.execution_id
where
    events.direction = 'output'
    and executions.state = 'COMPLETE'
    and executions.role <> 'resolve'
group by events.artifact_id
having count(distinct events.execution_id) > 1
