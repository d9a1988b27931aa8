{#- One row per CACHED execution (docs/semantics.md section 9.1): the reuse that avoided a
    recomputation. `reused_execution_id` is the run it reuses (int_execution_repeats: the
    earliest completed run of its node on the same inputs, else the earliest that output
    what it re-emits), NULL when none is found. `avoided_cost`, what caching saved, is the
    reused run's cost (0 when none is found): the run would have cost what it cost the
    first time. -#}
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
        repeats.repeats_execution_id as reused_execution_id,
        repeats.match_rule,
        executions.source_id,
        executions.pipeline_id,
        executions.node_id as component,
        executions.role,
        executions.started_at,
        coalesce(reused.cost, 0) as avoided_cost,
    from executions
    left join repeats
        on executions.execution_id = repeats.execution_id
    left join executions as reused
        on repeats.repeats_execution_id = reused.execution_id
    where executions.state = 'CACHED'
)

select * from final
