{#- The pruning simulation per pipeline (docs/semantics.md sections 6 and 7): one row per (policy,
    threshold, pipeline) over the evaluation range, i.e. from the source's `split_at` to its
    as-of time. rpt_pruning_tradeoff and rpt_pruning_tradeoff_by_group add these rows up.

    - Cost and waste: the cost of the pipeline's executions that started in the evaluation
      range, and of those among them whose waste class is `wasted`; what the policy saves
      (fct_pruning_decisions).
    - Staleness (docs/semantics.md section 6): the serving model at time t is the graphlet with the
      latest push at or before t (ties: the highest graphlet id); its staleness is t minus
      its anchor's end. The pipeline's window runs from the later of `split_at` and its
      first push to the as-of time; `*_staleness_hour_hours` integrate staleness over it
      (hours x hours), so integral / window is the time-averaged staleness. Under a policy,
      the pushes it skips never happen. Where a policy leaves no model at all (it skipped
      every push up to then, which can only happen in a pipeline whose first push falls in
      the evaluation range), staleness counts from the pipeline's first execution: serving
      nothing is as stale as the pipeline is old (a choice where the study is silent (docs/semantics.md)).
    - `pipeline_group`: what the pipeline looked like before the split, for recommendations
      per group: `new_in_evaluation` (no graphlet before the split), `never_pushed` (no push
      before the split), `several_per_day` (1.5 graphlets a day or more before the split),
      `daily_or_slower`. -#}
with

decisions as (
    select * from {{ ref('fct_pruning_decisions') }}
),

graphlets as (
    select * from {{ ref('fct_graphlets') }}
),

executions as (
    select * from {{ ref('fct_executions') }}
),

splits as (
    select * from {{ ref('int_pruning_splits') }}
),

policy_thresholds as (
    select distinct policy, threshold from decisions
),

pipeline_costs as (
    select
        executions.source_id,
        executions.pipeline_id,
        min(executions.started_at) as first_activity_at,
        coalesce(sum(executions.cost) filter (
            where executions.started_at >= splits.split_at
        ), 0) as evaluation_cost,
        coalesce(sum(executions.cost) filter (
            where executions.started_at >= splits.split_at
            and executions.waste_class = 'wasted'
        ), 0) as evaluation_wasted_cost
    from executions
    inner join splits
        on executions.source_id = splits.source_id
    group by executions.source_id, executions.pipeline_id
),

pipeline_groups as (
    select
        graphlets.pipeline_id,
        count(*) filter (where graphlets.started_at < splits.split_at) as n_before_split,
        count(*) filter (where graphlets.pushed_at < splits.split_at) as n_pushes_before_split,
        min(graphlets.started_at) as first_started_at,
        any_value(splits.split_at) as split_at
    from graphlets
    inner join splits
        on graphlets.source_id = splits.source_id
    group by graphlets.pipeline_id
),

grouped as (
    select
        pipeline_id,
        case
            when n_before_split = 0 then 'new_in_evaluation'
            when n_pushes_before_split = 0 then 'never_pushed'
            when n_before_split
                >= 1.5 * greatest(
                    {{ graphlets_seconds_diff('first_started_at', 'split_at') }} / 86400.0, 1
                )
                then 'several_per_day'
            else 'daily_or_slower'
        end as pipeline_group
    from pipeline_groups
),

-- ---- staleness ---------------------------------------------------------------------------

pushes as (
    select
        graphlets.graphlet_id,
        graphlets.source_id,
        graphlets.pipeline_id,
        graphlets.pushed_at,
        graphlets.trained_at
    from graphlets
    where
        graphlets.is_pushed
        and graphlets.pushed_at is not null
        and graphlets.trained_at is not null
),

windows as (
    select
        pushes.pipeline_id,
        greatest(any_value(splits.split_at), min(pushes.pushed_at)) as window_start_at,
        any_value(splits.range_end_at) as window_end_at
    from pushes
    inner join splits
        on pushes.source_id = splits.source_id
    group by pushes.pipeline_id
),

-- The pushes that matter: from the one serving at the window's start onwards.
window_pushes as (
    {% call graphlets_qualify('pushes.pushed_at >= max(
        case when pushes.pushed_at <= windows.window_start_at then pushes.pushed_at end
    ) over (partition by pushes.pipeline_id)', '') -%}
    select pushes.*
    from pushes
    inner join windows
        on pushes.pipeline_id = windows.pipeline_id
    where pushes.pushed_at < windows.window_end_at
    {%- endcall %}
),

policy_pushes as (
    select
        policy_thresholds.policy,
        policy_thresholds.threshold,
        window_pushes.*,
        coalesce(decisions.is_pruned, false) as is_pruned
    from window_pushes
    cross join policy_thresholds
    left join decisions
        on window_pushes.graphlet_id = decisions.graphlet_id
        and policy_thresholds.policy = decisions.policy
        and policy_thresholds.threshold is not distinct from decisions.threshold
),

serving_intervals as (
    select
        policy,
        threshold,
        pipeline_id,
        pushed_at,
        trained_at,
        lead(pushed_at) over (
            partition by policy, threshold, pipeline_id order by pushed_at, graphlet_id
        ) as next_pushed_at
    from policy_pushes
    where not is_pruned
),

-- Staleness t - c integrated over [a, b): ((b - c)^2 - (a - c)^2) / 2, in hours^2.
clipped_intervals as (
    select
        serving_intervals.policy,
        serving_intervals.threshold,
        serving_intervals.pipeline_id,
        {{ graphlets_as_double(graphlets_milliseconds_between(
            'serving_intervals.trained_at',
            'greatest(serving_intervals.pushed_at, windows.window_start_at)',
        )) }} / 3600000.0 as age_from_hours,
        {{ graphlets_as_double(graphlets_milliseconds_between(
            'serving_intervals.trained_at',
            'least(
                coalesce(serving_intervals.next_pushed_at, windows.window_end_at),
                windows.window_end_at
            )',
        )) }} / 3600000.0 as age_to_hours
    from serving_intervals
    inner join windows
        on serving_intervals.pipeline_id = windows.pipeline_id
),

served_staleness as (
    select
        policy,
        threshold,
        pipeline_id,
        sum(
            case
                when age_to_hours > age_from_hours
                    then (age_to_hours * age_to_hours - age_from_hours * age_from_hours) / 2
                else 0
            end
        ) as staleness_hour_hours
    from clipped_intervals
    group by policy, threshold, pipeline_id
),

-- Before the first kept push, nothing is served.
first_kept_pushes as (
    select
        policy,
        threshold,
        pipeline_id,
        min(pushed_at) as first_kept_pushed_at
    from policy_pushes
    where not is_pruned
    group by policy, threshold, pipeline_id
),

unserved_staleness as (
    select
        policy_thresholds.policy,
        policy_thresholds.threshold,
        windows.pipeline_id,
        {{ graphlets_as_double(graphlets_milliseconds_between(
            'pipeline_costs.first_activity_at', 'windows.window_start_at'
        )) }} / 3600000.0 as age_from_hours,
        {{ graphlets_as_double(graphlets_milliseconds_between(
            'pipeline_costs.first_activity_at',
            'least(
                coalesce(first_kept_pushes.first_kept_pushed_at, windows.window_end_at),
                windows.window_end_at
            )',
        )) }} / 3600000.0 as age_to_hours
    from windows
    cross join policy_thresholds
    inner join pipeline_costs
        on windows.pipeline_id = pipeline_costs.pipeline_id
    left join first_kept_pushes
        on windows.pipeline_id = first_kept_pushes.pipeline_id
        and policy_thresholds.policy = first_kept_pushes.policy
        and policy_thresholds.threshold is not distinct from first_kept_pushes.threshold
),

staleness as (
    select
        unserved_staleness.policy,
        unserved_staleness.threshold,
        unserved_staleness.pipeline_id,
        coalesce(served_staleness.staleness_hour_hours, 0)
        + case
            when unserved_staleness.age_to_hours > unserved_staleness.age_from_hours
                then (
                    unserved_staleness.age_to_hours * unserved_staleness.age_to_hours
                    - unserved_staleness.age_from_hours * unserved_staleness.age_from_hours
                ) / 2
            else 0
        end as staleness_hour_hours
    from unserved_staleness
    left join served_staleness
        on unserved_staleness.pipeline_id = served_staleness.pipeline_id
        and unserved_staleness.policy = served_staleness.policy
        and unserved_staleness.threshold is not distinct from served_staleness.threshold
),

-- ---- per policy and pipeline -------------------------------------------------------------

decision_totals as (
    select
        policy,
        threshold,
        pipeline_id,
        count(*) as n_graphlets,
        count(*) filter (where is_pruned) as n_pruned,
        sum(saved_cost) as saved_cost,
        sum(saved_wasted_cost) as saved_wasted_cost,
        count(*) filter (where is_pushed) as n_pushes,
        count(*) filter (where is_push_lost) as n_pushes_lost,
        coalesce(sum(push_delay_hours), 0) as push_delay_hours,
        count(*) filter (where is_push_delay_censored) as n_push_delays_censored
    from decisions
    group by policy, threshold, pipeline_id
),

policy_pipelines as (
    select
        policy_thresholds.policy,
        policy_thresholds.threshold,
        pipeline_costs.source_id,
        pipeline_costs.pipeline_id
    from pipeline_costs
    cross join policy_thresholds
    left join windows
        on pipeline_costs.pipeline_id = windows.pipeline_id
    where
        pipeline_costs.evaluation_cost > 0
        or windows.pipeline_id is not null
),

final as (
    select
        policy_pipelines.policy,
        policy_pipelines.threshold,
        policy_pipelines.source_id,
        policy_pipelines.pipeline_id,
        coalesce(grouped.pipeline_group, 'new_in_evaluation') as pipeline_group,
        coalesce(decision_totals.n_graphlets, 0) as n_graphlets,
        coalesce(decision_totals.n_pruned, 0) as n_pruned,
        pipeline_costs.evaluation_cost,
        pipeline_costs.evaluation_wasted_cost,
        coalesce(decision_totals.saved_cost, 0) as saved_cost,
        coalesce(decision_totals.saved_wasted_cost, 0) as saved_wasted_cost,
        coalesce(decision_totals.n_pushes, 0) as n_pushes,
        coalesce(decision_totals.n_pushes_lost, 0) as n_pushes_lost,
        coalesce(decision_totals.push_delay_hours, 0) as push_delay_hours,
        coalesce(decision_totals.n_push_delays_censored, 0) as n_push_delays_censored,
        coalesce(
            {{ graphlets_as_double(graphlets_milliseconds_between(
                'windows.window_start_at', 'windows.window_end_at'
            )) }} / 3600000.0,
            0
        ) as window_hours,
        coalesce(baseline.staleness_hour_hours, 0) as baseline_staleness_hour_hours,
        coalesce(staleness.staleness_hour_hours, 0) as staleness_hour_hours
    from policy_pipelines
    inner join pipeline_costs
        on policy_pipelines.pipeline_id = pipeline_costs.pipeline_id
    left join grouped
        on policy_pipelines.pipeline_id = grouped.pipeline_id
    left join decision_totals
        on policy_pipelines.pipeline_id = decision_totals.pipeline_id
        and policy_pipelines.policy = decision_totals.policy
        and policy_pipelines.threshold is not distinct from decision_totals.threshold
    left join windows
        on policy_pipelines.pipeline_id = windows.pipeline_id
    left join staleness
        on policy_pipelines.pipeline_id = staleness.pipeline_id
        and policy_pipelines.policy = staleness.policy
        and policy_pipelines.threshold is not distinct from staleness.threshold
    left join staleness as baseline
        on policy_pipelines.pipeline_id = baseline.pipeline_id
        and baseline.policy = 'never_prune'
)

select * from final
