{#- What every pruning policy would have decided for every graphlet of the evaluation range,
    and what the decision would have saved and cost (docs/semantics.md section 7). One row per
    (graphlet, policy, threshold) for the graphlets whose anchor started at or after their
    source's `split_at` (int_pruning_splits).

    Policies (thresholds swept; var `pruning_thresholds` overrides a policy's list):
    - `never_prune`: the baseline (threshold NULL);
    - `stale_data`: skip when the data window has advanced by at most `threshold` spans
      since the last model known to be blessed (nothing is skipped before a first blessing);
    - `unpushed_streak`: skip when at least `threshold` graphlets of the pipeline became
      final without a push since its last known push;
    - `stale_or_unpushed`: the two rules together: skip when `stale_data` at 0 would (no
      span newer than the last blessed model's) or `unpushed_streak` at `threshold` would;
    - `validation_anomalies`: skip when the latest data validation of the pipeline reported
      at least `threshold` anomalies;
    - `learned`: skip when the classifier's P(pushed) (fct_pruning_scores) is below
      `threshold` (a source without a model skips nothing);
    - `learned_value`: the same probability weighed by what is at stake: its odds are
      multiplied by (the source's median recent training cost / this node's) and by (hours
      since the node's previous training / the source's median), both medians over the
      training range, and the result turned back into a probability. So an expensive
      training is skipped at a higher push probability, and one in a pipeline that trains
      rarely (a lost push would leave the old model serving for long) at a lower one.

    Accounting (docs/semantics.md section 7): skipping a graphlet saves its anchor's and its downstream
    members' cost (`potential_saved_cost`), never its upstream cost, which was spent before
    the decision; `saved_wasted_cost` is the part of it that was waste. A skipped graphlet
    that was pushed in reality loses its push: the pipeline keeps serving the previous model
    until the next push that is kept, `push_delay_hours` later (censored at the source's as-of
    time when no later push is kept). Kept graphlets keep their real outcomes, and the
    decisions are made on the recorded history (what a policy reads does not change when it
    skips something). -#}
{%- set thresholds = {
    'stale_data': [0, 1, 2],
    'unpushed_streak': [3, 5, 10, 20, 40],
    'stale_or_unpushed': [5, 10, 20, 40],
    'validation_anomalies': [1, 3, 10],
    'learned': [
        0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.125, 0.15, 0.175, 0.2, 0.225, 0.25, 0.3, 0.4,
        0.5,
    ],
    'learned_value': [0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2],
} -%}
{%- do thresholds.update(var('pruning_thresholds', {})) -%}
with

features as (
    select * from {{ ref('fct_graphlet_features') }}
),

scores as (
    select * from {{ ref('fct_pruning_scores') }}
),

graphlets as (
    select * from {{ ref('fct_graphlets') }}
),

graphlet_executions as (
    select * from {{ ref('fct_graphlet_executions') }}
),

executions as (
    select * from {{ ref('fct_executions') }}
),

sources as (
    select * from {{ ref('int_sources') }}
),

policy_thresholds as (
    select 'never_prune' as policy, cast(null as double) as threshold
    {%- for policy, values in thresholds.items() %}
    {%- for value in values %}
    union all
    select '{{ policy }}', cast({{ value }} as double)
    {%- endfor %}
    {%- endfor %}
),

-- Typical cost and cadence of a source's trainings, from its training range.
source_norms as (
    select
        source_id,
        median(recent_anchor_cost) as median_anchor_cost,
        median(hours_since_previous_graphlet) as median_gap_hours
    from features
    where not is_evaluation_range and recent_anchor_cost > 0
    group by source_id
),

evaluated as (
    select
        features.*,
        scores.pushed_probability,
        -- The odds of a push, scaled by (typical cost / this node's recent training cost) x
        -- (hours since the previous training / typical): an expensive training is skipped
        -- at higher push probabilities, one in a pipeline that trains rarely (whose lost
        -- push would leave a model serving for long) at lower ones.
        scores.pushed_probability / nullif(1 - scores.pushed_probability, 0)
            * source_norms.median_anchor_cost
            / greatest(
                coalesce(features.recent_anchor_cost, source_norms.median_anchor_cost), 1e-9
            )
            * coalesce(features.hours_since_previous_graphlet, source_norms.median_gap_hours)
            / nullif(source_norms.median_gap_hours, 0) as value_odds
    from features
    left join scores
        on features.graphlet_id = scores.graphlet_id
    left join source_norms
        on features.source_id = source_norms.source_id
    where features.is_evaluation_range
),

-- What skipping each graphlet would save: its anchor and its downstream members.
savings as (
    select
        graphlet_executions.graphlet_id,
        sum(executions.cost) as potential_saved_cost,
        coalesce(sum(executions.cost) filter (where executions.waste_class = 'wasted'), 0)
            as potential_saved_wasted_cost
    from graphlet_executions
    inner join executions
        on graphlet_executions.execution_id = executions.execution_id
    where graphlet_executions.relation in ('trainer', 'downstream')
    group by graphlet_executions.graphlet_id
),

decided as (
    select
        evaluated.graphlet_id,
        evaluated.source_id,
        evaluated.pipeline_id,
        evaluated.decided_at,
        policy_thresholds.policy,
        policy_thresholds.threshold,
        coalesce(
            case policy_thresholds.policy
                when 'never_prune' then false
                when 'stale_data'
                    then evaluated.span_advance_since_last_blessed
                    <= policy_thresholds.threshold
                when 'unpushed_streak'
                    then evaluated.n_unpushed_since_last_push >= policy_thresholds.threshold
                when 'stale_or_unpushed'
                    then coalesce(evaluated.span_advance_since_last_blessed <= 0, false)
                    or evaluated.n_unpushed_since_last_push >= policy_thresholds.threshold
                when 'validation_anomalies'
                    then evaluated.latest_validation_anomalies >= policy_thresholds.threshold
                when 'learned'
                    then evaluated.pushed_probability < policy_thresholds.threshold
                when 'learned_value'
                    then evaluated.value_odds / (1 + evaluated.value_odds)
                    < policy_thresholds.threshold
            end,
            false
        ) as is_pruned,
        evaluated.pushed_probability
    from evaluated
    cross join policy_thresholds
),

accounted as (
    select
        decided.*,
        graphlets.outcome,
        graphlets.is_pushed,
        graphlets.pushed_at,
        coalesce(savings.potential_saved_cost, 0) as potential_saved_cost,
        coalesce(savings.potential_saved_wasted_cost, 0) as potential_saved_wasted_cost,
        sources.as_of_at
    from decided
    inner join graphlets
        on decided.graphlet_id = graphlets.graphlet_id
    inner join sources
        on decided.source_id = sources.source_id
    left join savings
        on decided.graphlet_id = savings.graphlet_id
),

-- Pushes of training-range graphlets that happened after the split: always kept, they
-- can be the next push after a lost one.
late_training_pushes as (
    select
        graphlets.graphlet_id,
        graphlets.pipeline_id,
        graphlets.pushed_at,
        policy_thresholds.policy,
        policy_thresholds.threshold
    from graphlets
    inner join features
        on graphlets.graphlet_id = features.graphlet_id
    cross join policy_thresholds
    where
        not features.is_evaluation_range
        and graphlets.is_pushed
        and graphlets.pushed_at >= features.split_at
),

push_stream as (
    select
        graphlet_id,
        pipeline_id,
        pushed_at,
        policy,
        threshold,
        is_pruned,
        true as is_decision
    from accounted
    where is_pushed
    union all
    select
        graphlet_id,
        pipeline_id,
        pushed_at,
        policy,
        threshold,
        false as is_pruned,
        false as is_decision
    from late_training_pushes
),

-- For every push, the next push of the pipeline that the policy keeps.
next_kept_pushes as (
    {% call graphlets_qualify('is_decision', '') -%}
    select
        graphlet_id,
        policy,
        threshold,
        min(case when not is_pruned then pushed_at end) over (
            partition by policy, threshold, pipeline_id
            -- pushed_at ascending, NULLs (time unknown) last, spelled so that it transpiles
            -- (docs/development.md, "Portability check")
            order by pushed_at is null nulls first, pushed_at nulls first, graphlet_id nulls first
            rows between 1 following and unbounded following
        ) as next_kept_pushed_at
    from push_stream
    {%- endcall %}
),

with_delays as (
    select
        accounted.*,
        next_kept_pushes.next_kept_pushed_at
    from accounted
    left join next_kept_pushes
        on accounted.graphlet_id = next_kept_pushes.graphlet_id
        and accounted.policy = next_kept_pushes.policy
        and accounted.threshold is not distinct from next_kept_pushes.threshold
),

final as (
    select
        graphlet_id,
        source_id,
        pipeline_id,
        decided_at,
        policy,
        threshold,
        is_pruned,
        pushed_probability,
        outcome,
        is_pushed,
        pushed_at,
        potential_saved_cost,
        potential_saved_wasted_cost,
        case when is_pruned then potential_saved_cost else 0 end as saved_cost,
        case when is_pruned then potential_saved_wasted_cost else 0 end as saved_wasted_cost,
        is_pruned and is_pushed as is_push_lost,
        case
            when is_pruned and is_pushed
                then {{ graphlets_as_double(graphlets_milliseconds_between(
                    'pushed_at', 'coalesce(next_kept_pushed_at, as_of_at)'
                )) }} / 3600000.0
        end as push_delay_hours,
        case
            when is_pruned and is_pushed then next_kept_pushed_at is null
        end as is_push_delay_censored
    from with_delays
)

select * from final
