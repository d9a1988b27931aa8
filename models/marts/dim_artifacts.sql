{#- One row per artifact of every source, for readers of the snapshot: what it is (type, URI,
    span, flags), where it came from (its first producer, that producer's pipeline) and how
    often it was read (docs/semantics.md section 1; docs/bi.md "Artifacts, loads and findings").
    The producer is the execution with the earliest output event on it, resolvers excluded
    (a resolver only re-emits); ties go to the lower execution id. -#}
with

artifacts as (
    select * from {{ ref('int_artifacts') }}
),

identity as (
    select * from {{ ref('int_artifact_identity') }}
),

events as (
    select * from {{ ref('int_events') }}
),

executions as (
    select * from {{ ref('int_executions') }}
),

outputs as (
    select
        events.artifact_id,
        events.execution_id,
        executions.pipeline_id,
        events.event_at
    from events
    inner join executions
        on events.execution_id = executions.execution_id
    where events.direction = 'output' and executions.role <> 'resolve'
),

{%- set first_output = graphlets_row(['event_at is null', 'event_at', 'execution_id']) %}
producers as (
    select
        artifact_id,
        {{ graphlets_arg_min('execution_id', first_output) }} as producer_execution_id,
        {{ graphlets_arg_min('pipeline_id', first_output) }} as producer_pipeline_id,
        count(distinct execution_id) as n_producers
    from outputs
    group by artifact_id
),

readers as (
    select
        artifact_id,
        count(distinct execution_id) as n_readers
    from events
    where direction = 'input'
    group by artifact_id
),

final as (
    select
        artifacts.artifact_id,
        artifacts.source_id,
        artifacts.source_kind,
        artifacts.source_artifact_id,
        artifacts.source_artifact_key,
        artifacts.artifact_name,
        artifacts.type_name,
        artifacts.uri,
        identity.identity_key,
        artifacts.state,
        artifacts.span,
        artifacts.blessed,
        artifacts.pushed,
        artifacts.created_at,
        producers.producer_execution_id,
        producers.producer_pipeline_id as pipeline_id,
        coalesce(producers.n_producers, 0) as n_producers,
        coalesce(readers.n_readers, 0) as n_readers
    from artifacts
    left join identity
        on artifacts.artifact_id = identity.artifact_id
    left join producers
        on artifacts.artifact_id = producers.artifact_id
    left join readers
        on artifacts.artifact_id = readers.artifact_id
)

select * from final
