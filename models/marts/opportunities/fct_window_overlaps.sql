{#- One row per execution (not CACHED) that read artifacts with a `span` (docs/semantics.md
    section 9.2): its window, the share of its spans the previous run of its node had
    processed already (int_execution_window_overlaps), and what an incremental
    implementation could save under the proportional-cost model: cost is proportional to
    the spans processed, so processing only the new spans saves cost x overlap_share. -#}
with

window_runs as (
    select * from {{ ref('int_execution_window_overlaps') }}
),

executions as (
    select * from {{ ref('fct_executions') }}
),

final as (
    select
        executions.execution_id,
        window_runs.previous_execution_id,
        executions.source_id,
        executions.pipeline_id,
        executions.node_id as component,
        executions.role,
        executions.state,
        executions.started_at,
        window_runs.n_spans,
        window_runs.span_min,
        window_runs.span_max,
        window_runs.n_overlap_spans,
        window_runs.overlap_share,
        executions.cost,
        executions.cost * window_runs.overlap_share as incremental_saving,
    from window_runs
    inner join executions
        on window_runs.execution_id = executions.execution_id
)

select * from final
