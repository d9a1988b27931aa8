{#- Producer -> consumer execution edges through artifacts (docs/semantics.md section 1, "producers" and
    "edge"). One row per (producer, consumer) pair with at least one connecting artifact.

    - producers: every execution with an output event on the artifact, resolvers excluded
      (a CACHED execution re-emitting an artifact is a producer next to the original run);
    - consumers: every execution with an input event on it, resolvers excluded (a walk
      never passes through a resolver);
    - time rule: the producer's output event is no later than the consumer's start, or
      either time is unknown; checked per artifact, so a cached re-run that re-emitted an
      artifact after the consumer started does not feed it;
    - connecting artifacts: within a source, the same artifact (artifact_id) only.
      Across sources (var `graphlets_cross_source_matching`, default true), an artifact of
      another source with the same identity key (int_artifact_identity): of the artifacts
      with that key that have a producer passing the time rule (the consumer's own and
      other sources'), the consumer reads the one written last (its earliest output
      event; unknown times rank lowest; a tie goes to its own artifact, then to the larger
      artifact_id), as OpenLineage resolves an unversioned read; when that is another
      source's artifact, its producers feed the consumer too. So a daily job's older
      versions of one location never do.
    This is the edge list every walk is prepared from (models/intermediate/graphlets). -#}
with

executions as (
    select * from {{ ref('int_executions') }}
),

events as (
    select * from {{ ref('int_events') }}
),

-- Identities named by more than one source: only those can connect two sources.
identities as (
    select artifact_id, identity_key
    from {{ ref('int_artifact_identity') }}
    where identity_key in (
        select identity_key
        from {{ ref('int_artifact_identity') }}
        where identity_key is not null
        group by identity_key
        having count(distinct source_id) > 1
    )
),

-- One row per (producer, artifact); a producer with several output events on the artifact
-- passes the time rule when any of them does (an unknown time always does).
producer_outputs as (
    select
        events.execution_id as producer_execution_id,
        events.artifact_id,
        any_value(executions.source_id) as producer_source_id,
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
        any_value(executions.source_id) as consumer_source_id,
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
same_artifact_links as (
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
{%- if var('graphlets_cross_source_matching') %}

-- Each produced artifact with its identity and when it was first written.
identified_outputs as (
    select
        producer_outputs.*,
        identities.identity_key,
        min(producer_outputs.first_output_at) over (partition by producer_outputs.artifact_id)
            as artifact_written_at
    from producer_outputs
    inner join identities
        on producer_outputs.artifact_id = identities.artifact_id
),

identified_inputs as (
    select
        consumer_inputs.*,
        identities.identity_key
    from consumer_inputs
    inner join identities
        on consumer_inputs.artifact_id = identities.artifact_id
),

-- One row per (producer, consumer, consumer's artifact, producer's artifact) under the time
-- rule, where the two artifacts share an identity: across two sources, or (`is_own`) the
-- consumer's artifact itself, which competes as the version it may have read.
version_candidates as (
    select
        identified_outputs.producer_execution_id,
        identified_inputs.consumer_execution_id,
        identified_inputs.artifact_id as consumer_artifact_id,
        identified_outputs.artifact_id as producer_artifact_id,
        identified_outputs.artifact_written_at,
        false as is_own,
        identified_inputs.is_baseline_input
    from identified_outputs
    inner join identified_inputs
        on identified_outputs.identity_key = identified_inputs.identity_key
        and identified_outputs.producer_source_id <> identified_inputs.consumer_source_id
    where
        identified_outputs.has_unknown_output_time
        or identified_inputs.consumer_started_at is null
        or identified_outputs.first_output_at <= identified_inputs.consumer_started_at
    union all
    select
        identified_outputs.producer_execution_id,
        identified_inputs.consumer_execution_id,
        identified_inputs.artifact_id,
        identified_outputs.artifact_id,
        identified_outputs.artifact_written_at,
        true,
        identified_inputs.is_baseline_input
    from identified_outputs
    inner join identified_inputs
        on identified_outputs.artifact_id = identified_inputs.artifact_id
    where
        identified_outputs.has_unknown_output_time
        or identified_inputs.consumer_started_at is null
        or identified_outputs.first_output_at <= identified_inputs.consumer_started_at
),

-- The version read is the one written last (a tie goes to the consumer's own artifact):
-- when it is another source's, all its producers feed the consumer.
cross_source_links as (
    {% call graphlets_qualify(
        'dense_rank() over (
            partition by consumer_execution_id, consumer_artifact_id
            order by artifact_written_at desc nulls last, is_own desc, producer_artifact_id desc
        )',
        '= 1 and not is_own') -%}
    select
        producer_execution_id,
        consumer_execution_id,
        is_baseline_input,
        is_own
    from version_candidates
    {%- endcall %}
),
{%- endif %}

artifact_links as (
    select producer_execution_id, consumer_execution_id, is_baseline_input
    from same_artifact_links
    {%- if var('graphlets_cross_source_matching') %}
    union all
    select producer_execution_id, consumer_execution_id, is_baseline_input
    from cross_source_links
    {%- endif %}
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
        pairs.n_baseline_artifacts,
        producers.source_id <> consumers.source_id as is_cross_source,
        consumers.source_id as consumer_source_id
    from pairs
    inner join executions as producers
        on pairs.producer_execution_id = producers.execution_id
    inner join executions as consumers
        on pairs.consumer_execution_id = consumers.execution_id
)

select * from final
