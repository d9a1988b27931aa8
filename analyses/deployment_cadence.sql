-- Question: how often do pipelines deploy, and how fresh is the model they serve?
-- One row per pipeline that pushed at least once: pushes per day, the median gap between
-- pushes and the time-averaged staleness of the serving model (docs/semantics.md section 6).
with

cadence as (
    select * from {{ ref('rpt_deployment_cadence') }}
),

final as (
    select
        pipeline_id,
        source_id,
        pipeline_name,
        n_pushes,
        pushes_per_day,
        median_hours_between_pushes,
        time_averaged_staleness_hours,
        staleness_at_as_of_hours,
        staleness_window_days,
    from cadence
    where n_pushes > 0
)

select * from final
order by time_averaged_staleness_hours, pipeline_id
