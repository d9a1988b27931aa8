{#- Timestamped signals of a pipeline's health that a pruning policy may read when they
    happened before its decision (docs/semantics.md section 7). One row per signal:

    - `validation`: a `validate` execution (TFX ExampleValidator) that ended, with the
      number of anomalies it reported: the `num_anomalies` property of its outputs where
      the source records one, 1 where an output carries a false `blessed` flag, 0
      otherwise; `is_problem` when it found anomalies or did not complete.
    - `evaluation`: an output of an `evaluate` execution carrying a `blessed` flag, at the
      moment it became visible; `is_problem` when not blessed.
    - `upstream_failure`: an execution of role ingest, analyze, validate or transform that
      ended FAILED or CANCELED.

    `signal_at` is the execution's end (validation, failure) or the output's visibility
    (evaluation; `graphlet_id` is the graphlet the evaluator is a downstream member of);
    a signal without a known time is dropped, since no policy could have
    known when it happened. Reads the MLMD `num_anomalies` artifact property from staging:
    sources of other kinds add their own anomaly counts here. -#}
with

executions as (
    select * from {{ ref('int_executions') }}
),

events as (
    select * from {{ ref('int_events') }}
),

artifacts as (
    select * from {{ ref('int_artifacts') }}
),

members as (
    select * from {{ ref('int_graphlet_members') }}
),

artifact_properties as (
    select * from {{ ref('stg_mlmd__artifact_properties') }}
),

-- Declared and custom properties are read alike, the declared one winning on a clash.
anomaly_counts as (
    {% call graphlets_qualify(
        'row_number() over (
        partition by source_id, source_artifact_id
        order by is_custom_property
    )', '= 1') -%}
    select
        source_id,
        source_artifact_id,
        number_value as num_anomalies
    from artifact_properties
    where property_name = 'num_anomalies'
    {%- endcall %}
),

validations as (
    select
        executions.execution_id,
        executions.source_id,
        executions.pipeline_id,
        executions.state,
        executions.ended_at
    from executions
    where
        executions.role = 'validate'
        and executions.state in ('COMPLETE', 'CACHED', 'FAILED', 'CANCELED')
        and executions.ended_at is not null
),

-- Only outputs with a known time count (an output without one is never known).
validation_findings as (
    select
        validations.execution_id,
        max(
            greatest(events.event_at, coalesce(artifacts.created_at, events.event_at))
        ) as last_output_at,
        coalesce(
            sum(anomaly_counts.num_anomalies),
            sum(case when artifacts.blessed = false then 1 end),
            0
        ) as n_anomalies
    from validations
    left join events
        on validations.execution_id = events.execution_id
        and events.direction = 'output'
        and events.event_at is not null
    left join artifacts
        on events.artifact_id = artifacts.artifact_id
    left join anomaly_counts
        on artifacts.source_id = anomaly_counts.source_id
        and artifacts.source_artifact_id = anomaly_counts.source_artifact_id
    group by validations.execution_id
),

validation_signals as (
    select
        validations.source_id,
        validations.pipeline_id,
        validations.execution_id,
        cast(null as bigint) as graphlet_id,
        'validation' as signal,
        greatest(validations.ended_at, validation_findings.last_output_at) as signal_at,
        validation_findings.n_anomalies,
        validation_findings.n_anomalies > 0
            or validations.state in ('FAILED', 'CANCELED') as is_problem
    from validations
    inner join validation_findings
        on validations.execution_id = validation_findings.execution_id
),

evaluation_signals as (
    select
        executions.source_id,
        executions.pipeline_id,
        executions.execution_id,
        owners.graphlet_id,
        'evaluation' as signal,
        greatest(events.event_at, coalesce(artifacts.created_at, events.event_at))
            as signal_at,
        cast(null as double) as n_anomalies,
        not artifacts.blessed as is_problem
    from executions
    inner join events
        on executions.execution_id = events.execution_id
        and events.direction = 'output'
    inner join artifacts
        on events.artifact_id = artifacts.artifact_id
    left join members as owners
        on executions.execution_id = owners.execution_id
        and owners.relation = 'downstream'
    where
        executions.role = 'evaluate'
        and artifacts.blessed is not null
        and events.event_at is not null
),

failure_signals as (
    select
        executions.source_id,
        executions.pipeline_id,
        executions.execution_id,
        cast(null as bigint) as graphlet_id,
        'upstream_failure' as signal,
        executions.ended_at as signal_at,
        cast(null as double) as n_anomalies,
        true as is_problem
    from executions
    where
        executions.role in ('ingest', 'analyze', 'validate', 'transform')
        and executions.state in ('FAILED', 'CANCELED')
        and executions.ended_at is not null
),

final as (
    select * from validation_signals
    union all
    select * from evaluation_signals
    union all
    select * from failure_signals
)

select * from final
