{#- Each execution's input signature (docs/semantics.md section 9.1): what it read, as an
    order-independent digest. An input artifact is named by its content key: its type, URI,
    span and fingerprint when it has a URI (so a re-imported file, a fresh artifact at the
    same location with the same span and fingerprint, is the same input), else its
    artifact id. The signature is an order-free digest of the execution's distinct content
    keys (macros/set_digest.sql), so the order of the input events and repeated reads do
    not matter. Executions
    without an input event have no signature: what they read (files outside the graph) is
    not recorded. -#}
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

-- Each artifact's content key, as its md5: the distinct step below then compares 32
-- characters, not a URI.
content_keys as (
    select
        artifact_id,
        md5(
            case
                when nullif(trim(uri), '') is not null
                    then 'content:' || {{ graphlets_json_list([
                        'type_name', 'trim(uri)', 'cast(span as varchar)', 'fingerprint'
                    ]) }}
                else 'artifact:' || cast(artifact_id as varchar)
            end
        ) as content_key,
    from artifacts
),

input_keys as (
    select distinct
        events.execution_id,
        content_keys.content_key,
    from events
    inner join content_keys
        on events.artifact_id = content_keys.artifact_id
    where events.direction = 'input'
),

signatures as (
    select
        execution_id,
        {{ set_digest('content_key') }} as input_signature,
        count(*) as n_input_keys,
    from input_keys
    group by execution_id
),

final as (
    select
        executions.execution_id,
        executions.source_id,
        executions.pipeline_id,
        executions.node_id,
        executions.state,
        executions.started_at,
        executions.ended_at,
        signatures.input_signature,
        signatures.n_input_keys,
    from executions
    inner join signatures
        on executions.execution_id = signatures.execution_id
)

select * from final
