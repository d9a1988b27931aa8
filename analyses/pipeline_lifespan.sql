-- Question: how long do pipelines live, and on how many of those days do they run?
-- One row per pipeline: lifespan (days between its first and last activity) and active
-- days, with the share of pipelines living at most as long (the empirical CDF).
with

pipelines as (
    select * from {{ ref('dim_pipelines') }}
),

final as (
    select
        pipeline_id,
        source_id,
        pipeline_name,
        first_activity_at,
        last_activity_at,
        lifespan_days,
        active_days,
        -- active days over the calendar days (UTC) the pipeline's life touches
        active_days / (
            date_diff('day', cast(first_activity_at as date), cast(last_activity_at as date))
            + 1
        ) as share_of_days_active,
        cume_dist() over (order by lifespan_days) as share_of_pipelines_living_at_most,
    from pipelines
)

select * from final
order by lifespan_days, pipeline_id
