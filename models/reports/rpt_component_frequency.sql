{#- One row per component (pipeline x node): how often it runs, how its runs end, how
    many graphlets it feeds and what share of its pipeline's cost it takes. -#}
with

executions as (
    select * from {{ ref('fct_executions') }}
),

graphlet_members as (
    select * from {{ ref('fct_graphlet_executions') }}
),

-- A node normally runs one execution type; where it ran several, the role and type of
-- the most frequent (ties to the smaller type name) describe it.
node_types as (
    {% call graphlets_qualify(
        'row_number() over (
            partition by pipeline_id, node_id
            order by count(*) desc, type_name
        )',
        '= 1') -%}
    select
        pipeline_id,
        node_id,
        role,
        type_name,
    from executions
    group by pipeline_id, node_id, role, type_name
    {%- endcall %}
),

run_counts as (
    select
        pipeline_id,
        node_id,
        any_value(source_id) as source_id,
        count(*) as n_runs,
        count(*) filter (where state = 'COMPLETE') as n_completed_runs,
        count(*) filter (where state = 'CACHED') as n_cached_runs,
        count(*) filter (where state = 'FAILED') as n_failed_runs,
        count(*) filter (where state = 'CANCELED') as n_canceled_runs,
        count(*) filter (
            where state not in ('COMPLETE', 'CACHED', 'FAILED', 'CANCELED')
        ) as n_unfinished_runs,
        count(*) filter (where waste_class = 'orphan') as n_orphan_runs,
        count(distinct cast(started_at as date)) as n_active_days,
        min(started_at) as first_run_at,
        max(started_at) as last_run_at,
        sum(cost) as cost,
        coalesce(sum(cost) filter (where waste_class = 'wasted'), 0) as wasted_cost,
    from executions
    group by pipeline_id, node_id
),

-- Consecutive runs of a component, in start order (runs with an unknown start are left
-- out of the intervals).
run_intervals as (
    select
        pipeline_id,
        node_id,
        {{ graphlets_seconds_between(
            'lag(started_at) over (
                partition by pipeline_id, node_id
                order by started_at, execution_id
            )',
            'started_at'
        ) }} / 3600.0 as hours_since_previous_run,
    from executions
    where started_at is not null
),

interval_medians as (
    select
        pipeline_id,
        node_id,
        median(hours_since_previous_run) as median_hours_between_runs,
    from run_intervals
    where hours_since_previous_run is not null
    group by pipeline_id, node_id
),

graphlets_fed as (
    select
        executions.pipeline_id,
        executions.node_id,
        count(distinct graphlet_members.graphlet_id) as n_graphlets_fed,
    from graphlet_members
    inner join executions
        on graphlet_members.execution_id = executions.execution_id
    group by executions.pipeline_id, executions.node_id
),

final as (
    select
        run_counts.pipeline_id,
        run_counts.node_id,
        run_counts.source_id,
        node_types.role,
        node_types.type_name,
        run_counts.n_runs,
        run_counts.n_completed_runs,
        run_counts.n_cached_runs,
        run_counts.n_failed_runs,
        run_counts.n_canceled_runs,
        run_counts.n_unfinished_runs,
        run_counts.n_orphan_runs,
        run_counts.n_active_days,
        run_counts.n_runs / nullif(run_counts.n_active_days, 0) as runs_per_active_day,
        interval_medians.median_hours_between_runs,
        run_counts.first_run_at,
        run_counts.last_run_at,
        coalesce(graphlets_fed.n_graphlets_fed, 0) as n_graphlets_fed,
        run_counts.cost,
        run_counts.wasted_cost,
        run_counts.cost
            / nullif(sum(run_counts.cost) over (partition by run_counts.pipeline_id), 0)
            as share_of_pipeline_cost,
    from run_counts
    inner join node_types
        on run_counts.pipeline_id = node_types.pipeline_id
        and run_counts.node_id = node_types.node_id
    left join interval_medians
        on run_counts.pipeline_id = interval_medians.pipeline_id
        and run_counts.node_id = interval_medians.node_id
    left join graphlets_fed
        on run_counts.pipeline_id = graphlets_fed.pipeline_id
        and run_counts.node_id = graphlets_fed.node_id
)

select * from final
