{#- The data window of every graphlet (docs/semantics.md section 4): one row per graphlet that has one.
    `input_span_min` / `input_span_max` range over the `span` of the output artifacts of
    its `ingest` members that reach the anchor through at least one path not passing a
    `tune` member (a tuner trained on old data does not widen the window). All outputs
    of such an ingest member count, a cached ingest run's re-emissions included. -#}
with

upstream as (
    select * from {{ ref('int_graphlet_upstream') }}
),

executions as (
    select * from {{ ref('int_executions') }}
),

events as (
    select * from {{ ref('int_events') }}
),

artifacts as (
    select * from {{ ref('int_artifacts') }}
),

ingest_members as (
    select
        upstream.graphlet_id,
        upstream.execution_id
    from upstream
    inner join executions
        on upstream.execution_id = executions.execution_id
    where
        executions.role = 'ingest'
        and upstream.is_reached_without_tuner
),

final as (
    select
        ingest_members.graphlet_id,
        min(artifacts.span) as input_span_min,
        max(artifacts.span) as input_span_max,
        count(distinct artifacts.span) as n_input_spans
    from ingest_members
    inner join events
        on ingest_members.execution_id = events.execution_id
        and events.direction = 'output'
    inner join artifacts
        on events.artifact_id = artifacts.artifact_id
    where artifacts.span is not null
    group by ingest_members.graphlet_id
)

select * from final
