{#- Runs that repeat an earlier completed run of their node on the same inputs
    (docs/semantics.md section 9.1): one row per execution that has one. The repeated run
    (`repeats_execution_id`) is the earliest COMPLETE execution of the same pipeline node
    with the same input signature (int_execution_input_signatures) that ended at or before
    this one started (both times known): the first time the result existed. A CACHED
    execution without such a run (it recorded no inputs, or other ones) repeats the earliest
    COMPLETE run of its node that output one of the artifacts it re-emits, ended at or
    before its start (`match_rule` = 'outputs'). Every state is listed: a non-CACHED row is
    a recomputation (fct_recomputations), a CACHED one a reuse (fct_cache_hits). -#}
with

signatures as (
    select * from {{ ref('int_execution_input_signatures') }}
),

executions as (
    select * from {{ ref('int_executions') }}
),

events as (
    select * from {{ ref('int_events') }}
),

by_signature as (
    {% call graphlets_qualify(
        'row_number() over (
            partition by later.execution_id
            order by earlier.started_at, earlier.ended_at, earlier.execution_id
        )',
        '= 1') -%}
    select
        later.execution_id,
        earlier.execution_id as repeats_execution_id,
        'signature' as match_rule,
    from signatures as later
    inner join signatures as earlier
        on later.pipeline_id = earlier.pipeline_id
        and later.node_id = earlier.node_id
        and later.input_signature = earlier.input_signature
        and later.execution_id <> earlier.execution_id
    where
        earlier.state = 'COMPLETE'
        and earlier.ended_at <= later.started_at
    {%- endcall %}
),

cached_outputs as (
    select events.execution_id, events.artifact_id, executions.pipeline_id,
        executions.node_id, executions.started_at
    from events
    inner join executions
        on events.execution_id = executions.execution_id
    where executions.state = 'CACHED' and events.direction = 'output'
),

by_outputs as (
    {% call graphlets_qualify(
        'row_number() over (
            partition by cached_outputs.execution_id
            order by producers.started_at, producers.ended_at, producers.execution_id
        )',
        '= 1') -%}
    select
        cached_outputs.execution_id,
        producers.execution_id as repeats_execution_id,
        'outputs' as match_rule,
    from cached_outputs
    inner join events as producer_events
        on cached_outputs.artifact_id = producer_events.artifact_id
        and producer_events.direction = 'output'
    inner join executions as producers
        on producer_events.execution_id = producers.execution_id
        and cached_outputs.pipeline_id = producers.pipeline_id
        and cached_outputs.node_id = producers.node_id
    where
        producers.state = 'COMPLETE'
        and producers.ended_at <= cached_outputs.started_at
        and cached_outputs.execution_id not in (select execution_id from by_signature)
    {%- endcall %}
),

final as (
    select * from by_signature
    union all
    select * from by_outputs
)

select * from final
