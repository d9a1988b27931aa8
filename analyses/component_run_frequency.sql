-- Question: how often does each pipeline component run?
-- One row per component (pipeline x node): runs, runs per active day and the median gap
-- between consecutive runs, with the component's role to compare roles (ingestion runs
-- far more often than training, which runs more often than pushing).
with

components as (
    select * from {{ ref('rpt_component_frequency') }}
),

final as (
    select
        pipeline_id,
        node_id,
        role,
        n_runs,
        n_completed_runs,
        n_cached_runs,
        n_failed_runs,
        n_active_days,
        runs_per_active_day,
        median_hours_between_runs,
        n_graphlets_fed,
        share_of_pipeline_cost,
    from components
)

select * from final
order by role, median_hours_between_runs, pipeline_id, node_id
