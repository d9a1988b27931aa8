{#- One row per pipeline: how often it deploys and how fresh its serving model is (docs/semantics.md
    section 6).

    The serving model at time t is the pushed graphlet with the latest push at or before
    t (ties: the one trained last, then the highest graphlet id); its staleness at t is t
    minus that graphlet's `trained_at`. Between two consecutive pushes staleness grows
    linearly, so its integral over a serving period [p, q] of a model trained at e is
    (q - p) * ((p - e) + (q - e)) / 2, exactly. The time-averaged staleness is the sum of
    those integrals over the window from the first push to the source's as-of time,
    divided by the window's length. A pushed graphlet with an unknown `pushed_at` counts
    as a push but takes no part in the timing; one with an unknown `trained_at` leaves its
    serving period out of the average (numerator and denominator). -#}
with

pipelines as (
    select * from {{ ref('dim_pipelines') }}
),

graphlets as (
    select * from {{ ref('fct_graphlets') }}
),

sources as (
    select * from {{ ref('int_sources') }}
),

timed_pushes as (
    select
        graphlets.pipeline_id,
        graphlets.graphlet_id,
        graphlets.pushed_at,
        graphlets.trained_at,
        sources.as_of_at,
    from graphlets
    inner join sources
        on graphlets.source_id = sources.source_id
    where graphlets.is_pushed and graphlets.pushed_at is not null
),

ordered_pushes as (
    select
        timed_pushes.*,
        lag(pushed_at) over push_order as previous_pushed_at,
        lead(pushed_at) over push_order as next_pushed_at,
    from timed_pushes
    window push_order as (
        partition by pipeline_id
        order by pushed_at, trained_at nulls first, graphlet_id
    )
),

-- Each pushed graphlet serves from its push until the next push, the last one until the
-- as-of time (never before its own push).
serving_periods as (
    select
        pipeline_id,
        graphlet_id,
        pushed_at,
        trained_at,
        as_of_at,
        {{ graphlets_seconds_between('previous_pushed_at', 'pushed_at') }} / 3600.0
            as hours_since_previous_push,
        {{ graphlets_seconds_between(
            'pushed_at', 'greatest(coalesce(next_pushed_at, as_of_at), pushed_at)'
        ) }} / 3600.0
            as serving_hours,
        {{ graphlets_seconds_between('trained_at', 'pushed_at') }} / 3600.0
            as staleness_at_push_hours,
        next_pushed_at is null as is_serving_at_as_of,
    from ordered_pushes
),

pipeline_pushes as (
    select
        pipeline_id,
        count(*) as n_timed_pushes,
        min(pushed_at) as first_push_at,
        max(pushed_at) as last_push_at,
        median(hours_since_previous_push) as median_hours_between_pushes,
        sum(serving_hours * (staleness_at_push_hours + serving_hours / 2.0))
            filter (where trained_at is not null) as staleness_hour_hours,
        sum(serving_hours) filter (where trained_at is not null) as staleness_window_hours,
        max({{ graphlets_seconds_between('trained_at', 'as_of_at') }} / 3600.0)
            filter (where is_serving_at_as_of) as staleness_at_as_of_hours,
    from serving_periods
    group by pipeline_id
),

pipeline_graphlets as (
    select
        pipeline_id,
        count(*) as n_graphlets,
        count(*) filter (where is_pushed) as n_pushes,
    from graphlets
    group by pipeline_id
),

final as (
    select
        pipelines.pipeline_id,
        pipelines.source_id,
        pipelines.pipeline_name,
        coalesce(pipeline_graphlets.n_graphlets, 0) as n_graphlets,
        coalesce(pipeline_graphlets.n_pushes, 0) as n_pushes,
        pipeline_pushes.first_push_at,
        pipeline_pushes.last_push_at,
        sources.as_of_at,
        {{ graphlets_seconds_between('pipelines.first_activity_at', 'sources.as_of_at') }}
            / 86400.0 as observed_days,
        coalesce(pipeline_graphlets.n_pushes, 0)
            / nullif(
                {{ graphlets_seconds_between('pipelines.first_activity_at', 'sources.as_of_at') }}
                    / 86400.0,
                0
            )
            as pushes_per_day,
        pipeline_pushes.median_hours_between_pushes,
        {{ graphlets_seconds_between('pipeline_pushes.first_push_at', 'sources.as_of_at') }}
            / 86400.0
            as staleness_window_days,
        pipeline_pushes.staleness_hour_hours
            / nullif(pipeline_pushes.staleness_window_hours, 0)
            as time_averaged_staleness_hours,
        pipeline_pushes.staleness_at_as_of_hours,
    from pipelines
    left join sources
        on pipelines.source_id = sources.source_id
    left join pipeline_graphlets
        on pipelines.pipeline_id = pipeline_graphlets.pipeline_id
    left join pipeline_pushes
        on pipelines.pipeline_id = pipeline_pushes.pipeline_id
)

select * from final
