{#- Producer -> consumer execution edges through artifacts (docs/semantics.md section 1, "producers" and
    "edge"). One row per (producer, consumer) pair with at least one connecting artifact.

    - producers: every execution with an output event on the artifact, resolvers excluded
      (a CACHED execution re-emitting an artifact is a producer next to the original run);
    - consumers: every execution with an input event on it, resolvers excluded (a walk
      never passes through a resolver);
    - time rule: the producer's output event is no later than the consumer's start, or
      either time is unknown; checked per artifact, so a cached re-run that re-emitted an
      artifact after the consumer started does not feed it.
    This is the edge list every walk is prepared from (models/intermediate/graphlets). -#}
with

executions as (
    select * from {{ ref('int_executions') }}
),

events as (
    select * from {{ ref('int_events') }}
),

-- One row per (producer, artifact); a producer with several output events on the artifact
-- passes the time rule when any of them does (an unknown time always does).
producer_outputs as (
    select
        events.execution_id as producer_execution_id,
        events.artifact_id,
        min(events.event_at) as first_output_at,
        bool_or(events.event_at is null) as has_unknown_output_time
    from events
    inner join executions
        on events.execution_id = executions.execution_id
    where
        events.direction = 'output'
        and executions.role <> 'resolve'
    group by events.execution_id, events.artifact_id
),

-- One row per (consumer, artifact). An artifact read through several events is a
-- baseline input only if every one of those events carries a baseline key.
consumer_inputs as (
    select
        events.execution_id as consumer_execution_id,
        events.artifact_id,
        any_value(executions.started_at) as consumer_started_at,
        bool_and(events.is_baseline_key) as is_baseline_input
    from events
    inner join executions
        on events.execution_id = executions.execution_id
    where
        events.direction = 'input'
        and executions.role <> 'resolve'
    group by events.execution_id, events.artifact_id
),

-- One row per (producer, consumer, artifact) that satisfies the time rule.
artifact_links as (
    select
        producer_outputs.producer_execution_id,
        consumer_inputs.consumer_execution_id,
        consumer_inputs.is_baseline_input
    from producer_outputs
    inner join consumer_inputs
        on producer_outputs.artifact_id = consumer_inputs.artifact_id
    where
        producer_outputs.has_unknown_output_time
        or consumer_inputs.consumer_started_at is null
        or producer_outputs.first_output_at <= consumer_inputs.consumer_started_at
),

pairs as (
    select
        producer_execution_id,
        consumer_execution_id,
        count(*) as n_artifacts,
        count(*) filter (where is_baseline_input) as n_baseline_artifacts
    from artifact_links
    group by producer_execution_id, consumer_execution_id
),

final as (
    select
        producers.source_id,
        pairs.producer_execution_id,
        pairs.consumer_execution_id,
        producers.role as producer_role,
        consumers.role as consumer_role,
        producers.pipeline_id = consumers.pipeline_id
            and producers.node_id = consumers.node_id as is_same_node,
        pairs.n_baseline_artifacts = pairs.n_artifacts as is_baseline_only,
        pairs.n_artifacts,
        pairs.n_baseline_artifacts
    from pairs
    inner join executions as producers
        on pairs.producer_execution_id = producers.execution_id
    inner join executions as consumers
        on pairs.consumer_execution_id = consumers.execution_id
)

select * from final
