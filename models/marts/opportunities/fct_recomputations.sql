{#- One row per recomputation (docs/semantics.md section 9.1): an execution, not CACHED, of a
    pipeline node that had already completed a run on the same inputs before it started
    (int_execution_repeats). `cost` is what the recomputation cost, the saving an always-on
    cache would have made; `repeats_execution_id` the earliest completed run it repeats. -#}
with

repeats as (
    select * from {{ ref('int_execution_repeats') }}
),

executions as (
    select * from {{ ref('fct_executions') }}
),

final as (
    select
        executions.execution_id,
        repeats.repeats_execution_id,
        executions.source_id,
        executions.pipeline_id,
        executions.node_id as component,
        executions.role,
        executions.state,
        executions.started_at,
        executions.cost,
        repeated.cost as repeats_cost,
    from repeats
    inner join executions
        on repeats.execution_id = executions.execution_id
    inner join executions as repeated
        on repeats.repeats_execution_id = repeated.execution_id
    where executions.state <> 'CACHED'
)

select * from final
