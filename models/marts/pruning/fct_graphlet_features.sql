{#- Decision features of every graphlet (docs/semantics.md section 7): one row per graphlet whose anchor
    start is known. The decision time `decided_at` is the anchor's start, the moment a
    policy decides whether to run it. Every feature reads only what was known strictly
    before it, plus the anchor's own registration (its pipeline, node and the input events
    recorded with its start):

    - other graphlets' outcomes as known then (int_pruning_outcome_transitions: the last
      change strictly before `decided_at`), never their final outcome;
    - timestamped signals that happened strictly before (int_pruning_pipeline_signals);
    - the graphlet's own upstream members, data window and warm-start parent: they
      produced the anchor's inputs, so they ran before it started (an edge needs the
      output event no later than the consumer's start). Their state and cost are read only
      for members that ended strictly before `decided_at`.

    Nothing here reads the graphlet's outcome, its downstream members, its end, its cost,
    `n_graphlets_sharing` or any other column aggregated over later executions. The test
    tests/test_pruning.py rebuilds the warehouse from stores cut or perturbed after a
    decision time and asserts every row decided by then is unchanged. -#}
with

graphlets as (
    select * from {{ ref('fct_graphlets') }}
),

graphlet_executions as (
    select * from {{ ref('fct_graphlet_executions') }}
),

executions as (
    select * from {{ ref('fct_executions') }}
),

events as (
    select * from {{ ref('int_events') }}
),

artifacts as (
    select * from {{ ref('int_artifacts') }}
),

transitions as (
    select * from {{ ref('int_pruning_outcome_transitions') }}
),

signals as (
    select * from {{ ref('int_pruning_pipeline_signals') }}
),

splits as (
    select * from {{ ref('int_pruning_splits') }}
),

decisions as (
    select
        graphlets.graphlet_id,
        graphlets.source_id,
        graphlets.pipeline_id,
        graphlets.node_id,
        graphlets.started_at as decided_at,
        graphlets.started_at
            - {{ graphlets_days(var('pruning_trailing_days', 7)) }} as trailing_window_start_at,
        graphlets.input_span_min,
        graphlets.input_span_max,
        graphlets.parent_graphlet_id,
        splits.split_at
    from graphlets
    inner join splits
        on graphlets.source_id = splits.source_id
    where graphlets.started_at is not null
),

-- ---- the graphlet's own inputs and upstream (all produced before its start) -----------

anchor_inputs as (
    select distinct
        decisions.graphlet_id,
        events.artifact_id,
        artifacts.type_name,
        artifacts.created_at
    from decisions
    inner join events
        on decisions.graphlet_id = events.execution_id
        and events.direction = 'input'
        and events.event_at <= decisions.decided_at
    inner join artifacts
        on events.artifact_id = artifacts.artifact_id
),

anchor_input_counts as (
    select
        graphlet_id,
        count(*) as n_anchor_inputs
    from anchor_inputs
    group by graphlet_id
),

-- ---- the previous graphlet of the same pipeline node (started strictly earlier) -------

anchor_times as (
    select
        pipeline_id,
        node_id,
        decided_at,
        max(graphlet_id) as last_graphlet_id
    from decisions
    group by pipeline_id, node_id, decided_at
),

previous_anchor_times as (
    select
        pipeline_id,
        node_id,
        decided_at,
        lag(last_graphlet_id) over by_time as previous_graphlet_id
    from anchor_times
    window by_time as (partition by pipeline_id, node_id order by decided_at)
),

previous_graphlets as (
    select
        decisions.graphlet_id,
        decisions.decided_at,
        previous.graphlet_id as previous_graphlet_id,
        previous.decided_at as previous_decided_at,
        previous.input_span_max as previous_input_span_max
    from decisions
    inner join previous_anchor_times
        on decisions.pipeline_id = previous_anchor_times.pipeline_id
        and decisions.node_id = previous_anchor_times.node_id
        and decisions.decided_at = previous_anchor_times.decided_at
    inner join decisions as previous
        on previous_anchor_times.previous_graphlet_id = previous.graphlet_id
),

-- ---- the graphlet's own upstream (produced before its start) --------------------------

upstream_members as (
    select
        decisions.graphlet_id,
        executions.execution_id,
        executions.node_id,
        executions.started_at >= previous_graphlets.previous_decided_at as is_since_previous,
        executions.ended_at < decisions.decided_at as has_ended,
        executions.state,
        executions.cost
    from decisions
    inner join graphlet_executions
        on decisions.graphlet_id = graphlet_executions.graphlet_id
        and graphlet_executions.relation = 'upstream'
    inner join executions
        on graphlet_executions.execution_id = executions.execution_id
    left join previous_graphlets
        on decisions.graphlet_id = previous_graphlets.graphlet_id
),

-- What the anchor and its direct producers (hops 1) read: schema, transform graph. Only
-- those two kinds of artifact are kept, before the union (at the study's scale the inputs
-- of every kind are 16M rows).
schema_like_artifacts as (
    select artifact_id, type_name, created_at
    from artifacts
    where type_name like '%Schema' or type_name like '%TransformGraph'
),

near_inputs as (
    select graphlet_id, artifact_id, type_name, created_at
    from anchor_inputs
    where type_name like '%Schema' or type_name like '%TransformGraph'
    union
    select
        decisions.graphlet_id,
        events.artifact_id,
        schema_like_artifacts.type_name,
        schema_like_artifacts.created_at
    from decisions
    inner join graphlet_executions
        on decisions.graphlet_id = graphlet_executions.graphlet_id
        and graphlet_executions.relation = 'upstream'
        and graphlet_executions.hops = 1
    inner join events
        on graphlet_executions.execution_id = events.execution_id
        and events.direction = 'input'
        and events.event_at < decisions.decided_at
    inner join schema_like_artifacts
        on events.artifact_id = schema_like_artifacts.artifact_id
),

graphlet_inputs as (
    select
        decisions.graphlet_id,
        {{ graphlets_arg_max(
            'near_inputs.artifact_id',
            graphlets_list([graphlets_epoch_us('near_inputs.created_at'), 'near_inputs.artifact_id'])
        ) }} filter (where near_inputs.type_name like '%Schema') as schema_artifact_id,
        {{ graphlets_arg_max(
            'near_inputs.artifact_id',
            graphlets_list([graphlets_epoch_us('near_inputs.created_at'), 'near_inputs.artifact_id'])
        ) }} filter (where near_inputs.type_name like '%TransformGraph')
            as transform_graph_artifact_id
    from decisions
    left join near_inputs
        on decisions.graphlet_id = near_inputs.graphlet_id
    group by decisions.graphlet_id
),

-- One pass over the (many) upstream rows. Upstream work "since the previous graphlet":
-- members that started after it did. Costs rounded: a float sum's last bits depend on the
-- order DuckDB adds in.
upstream_totals as (
    select
        graphlet_id,
        count(*) as n_upstream_members,
        count(*) filter (where has_ended and state = 'CACHED') as n_upstream_cached,
        round(coalesce(sum(cost) filter (where has_ended), 0), 6) as upstream_cost,
        count(*) filter (where is_since_previous) as n_new_upstream_members,
        round(coalesce(sum(cost) filter (where is_since_previous and has_ended), 0), 6)
            as new_upstream_cost
    from upstream_members
    group by graphlet_id
),

-- The set of upstream nodes, as an order-independent signature of its distinct members.
upstream_nodes as (
    select
        graphlet_id,
        node_id
    from upstream_members
    group by graphlet_id, node_id
),

upstream_node_sets as (
    select
        graphlet_id,
        count(*) as n_upstream_nodes,
        bit_xor({{ graphlets_hash(['node_id']) }}) as node_set_signature
    from upstream_nodes
    group by graphlet_id
),

upstream_summary as (
    select
        decisions.graphlet_id,
        coalesce(upstream_totals.n_upstream_members, 0) as n_upstream_members,
        coalesce(upstream_totals.n_upstream_cached, 0) as n_upstream_cached,
        coalesce(upstream_totals.upstream_cost, 0) as upstream_cost,
        coalesce(upstream_totals.n_new_upstream_members, 0) as n_new_upstream_members,
        coalesce(upstream_totals.new_upstream_cost, 0) as new_upstream_cost,
        coalesce(upstream_node_sets.n_upstream_nodes, 0) as n_upstream_nodes,
        coalesce(upstream_node_sets.node_set_signature, 0) as node_set_signature
    from decisions
    left join upstream_totals
        on decisions.graphlet_id = upstream_totals.graphlet_id
    left join upstream_node_sets
        on decisions.graphlet_id = upstream_node_sets.graphlet_id
),

previous_known_outcomes as (
    {{ pruning_last_known_before(
        'previous_graphlets', 'decided_at', 'transitions', 'known_at',
        columns=[
            'transitions.outcome',
        ],
        keys={'previous_graphlet_id': 'graphlet_id'}
    ) }}
),

new_anchor_inputs as (
    select
        previous_graphlets.graphlet_id,
        count(*) as n_new_anchor_inputs
    from previous_graphlets
    inner join anchor_inputs
        on previous_graphlets.graphlet_id = anchor_inputs.graphlet_id
    left join anchor_inputs as previous_inputs
        on previous_graphlets.previous_graphlet_id = previous_inputs.graphlet_id
        and anchor_inputs.artifact_id = previous_inputs.artifact_id
    where
        previous_inputs.artifact_id is null
        -- a warm start reads the newest model every time: not new data
        and anchor_inputs.type_name not like '%Model'
    group by previous_graphlets.graphlet_id
),

-- ---- the pipeline's history of known outcomes -----------------------------------------

-- Running counts of known outcomes, one row per (pipeline, moment of change).
outcome_totals as (
    select
        pipeline_id,
        known_at,
        sum(sum(
            case when outcome <> 'pending' then 1 else 0 end
            - case when previous_outcome <> 'pending' then 1 else 0 end
        )) over by_time as n_known_outcomes,
        sum(sum(
            case when outcome = 'pushed' then 1 else 0 end
            - case when previous_outcome = 'pushed' then 1 else 0 end
        )) over by_time as n_known_pushed,
        sum(sum(
            case when outcome = 'training_failed' then 1 else 0 end
            - case when previous_outcome = 'training_failed' then 1 else 0 end
        )) over by_time as n_known_training_failed
    from transitions
    group by pipeline_id, known_at
    window by_time as (partition by pipeline_id order by known_at)
),

-- Pushes as they became known: the last one and a running count.
push_totals as (
    select
        pipeline_id,
        known_at,
        max(graphlet_id) as pushed_graphlet_id,
        sum(count(*)) over (partition by pipeline_id order by known_at nulls first) as n_pushes
    from transitions
    where outcome = 'pushed'
    group by pipeline_id, known_at
),

-- Graphlets as they first became final, in order: the share pushed among the last few
-- and the number of un-pushed ones since the last push.
final_sequence as (
    select
        pipeline_id,
        known_at,
        graphlet_id,
        outcome = 'pushed' as is_pushed,
        sum(case when outcome = 'pushed' then 1 else 0 end) over (
            partition by pipeline_id order by known_at nulls first, graphlet_id nulls first
            rows between unbounded preceding and current row
        ) as push_group
    from transitions
    where is_final and previous_outcome = 'pending'
),

final_streaks as (
    {% call graphlets_qualify(
        'row_number() over (
        partition by pipeline_id, known_at order by graphlet_id desc
    )', '= 1') -%}
    select
        pipeline_id,
        known_at,
        avg({{ graphlets_as_double('case when is_pushed then 1.0 else 0.0 end') }}) over (
            partition by pipeline_id order by known_at nulls first, graphlet_id nulls first
            {{ pruning_recent_rows() }}
        ) as recent_push_rate,
        {{ graphlets_count_where('not is_pushed') }} over (
            partition by pipeline_id, push_group
            order by known_at nulls first, graphlet_id nulls first
            rows between unbounded preceding and current row
        ) as n_unpushed_since_last_push,
        graphlet_id
    from final_sequence
    {%- endcall %}
),

-- ---- timestamped signals --------------------------------------------------------------

evaluation_sequence as (
    {% call graphlets_qualify(
        'row_number() over (
        partition by pipeline_id, signal_at order by execution_id desc
    )', '= 1') -%}
    select
        pipeline_id,
        signal_at,
        avg({{ graphlets_as_double('case when is_problem then 0.0 else 1.0 end') }}) over (
            partition by pipeline_id order by signal_at nulls first, execution_id nulls first
            {{ pruning_recent_rows() }}
        ) as recent_bless_rate
    from signals
    where signal = 'evaluation'
    {%- endcall %}
),

blessings as (
    select
        pipeline_id,
        signal_at,
        max(graphlet_id) as blessed_graphlet_id
    from signals
    where signal = 'evaluation' and not is_problem
    group by pipeline_id, signal_at
),

validation_sequence as (
    select
        pipeline_id,
        signal_at,
        max(n_anomalies) as n_anomalies
    from signals
    where signal = 'validation'
    group by pipeline_id, signal_at
),

problem_totals as (
    select
        pipeline_id,
        signal_at,
        sum(count(*) filter (where signal = 'validation' and is_problem))
            over by_time as n_validation_problems,
        sum(count(*) filter (where signal = 'upstream_failure'))
            over by_time as n_upstream_failures
    from signals
    where signal in ('validation', 'upstream_failure')
    group by pipeline_id, signal_at
    window by_time as (partition by pipeline_id order by signal_at)
),

-- The cost of the node's recent trainings (the anchor alone), known once each ended.
anchor_costs as (
    {% call graphlets_qualify(
        'row_number() over (
        partition by graphlets.pipeline_id, graphlets.node_id, graphlets.trained_at
        order by graphlets.graphlet_id desc
    )', '= 1') -%}
    select
        graphlets.pipeline_id,
        graphlets.node_id,
        graphlets.trained_at as ended_at,
        avg(executions.cost) over (
            partition by graphlets.pipeline_id, graphlets.node_id
            order by graphlets.trained_at nulls first, graphlets.graphlet_id nulls first
            {{ pruning_recent_rows() }}
        ) as recent_anchor_cost
    from graphlets
    inner join executions
        on graphlets.trainer_execution_id = executions.execution_id
    where
        graphlets.trainer_state in ('COMPLETE', 'CACHED', 'FAILED', 'CANCELED')
        and graphlets.trained_at is not null
    {%- endcall %}
),

-- ---- per decision: the history as of `decided_at` -------------------------------------

recent_costs as (
    {{ pruning_last_known_before(
        'decisions', 'decided_at', 'anchor_costs', 'ended_at',
        columns=[
            'anchor_costs.recent_anchor_cost',
        ],
        keys={'pipeline_id': 'pipeline_id', 'node_id': 'node_id'}
    ) }}
),

pipeline_history as (
    select
        decisions.graphlet_id,
        rank() over (
            partition by decisions.pipeline_id order by decisions.decided_at
        ) - 1 as n_prior_graphlets,
        count(*) over (
            partition by decisions.pipeline_id order by decisions.decided_at nulls first
            {{ pruning_hours_before_rows(24) }}
        ) as n_graphlets_prior_24h,
        min(decisions.decided_at) over (partition by decisions.pipeline_id)
            as pipeline_first_decided_at
    from decisions
),

known_outcomes as (
    {{ pruning_last_known_before(
        'decisions', 'decided_at', 'outcome_totals', 'known_at',
        columns=[
            'outcome_totals.n_known_outcomes',
            'outcome_totals.n_known_pushed',
            'outcome_totals.n_known_training_failed',
        ]
    ) }}
),

last_pushes as (
    {{ pruning_last_known_before(
        'decisions', 'decided_at', 'push_totals', 'known_at',
        columns=[
            'push_totals.known_at as last_push_known_at',
            'push_totals.pushed_graphlet_id as last_pushed_graphlet_id',
            'push_totals.n_pushes',
        ]
    ) }}
),

pushes_before_window as (
    {{ pruning_last_known_before(
        'decisions', 'trailing_window_start_at', 'push_totals', 'known_at',
        columns=[
            'push_totals.n_pushes',
        ]
    ) }}
),

recent_finals as (
    {{ pruning_last_known_before(
        'decisions', 'decided_at', 'final_streaks', 'known_at',
        columns=[
            'final_streaks.recent_push_rate',
            'final_streaks.n_unpushed_since_last_push',
        ]
    ) }}
),

recent_evaluations as (
    {{ pruning_last_known_before(
        'decisions', 'decided_at', 'evaluation_sequence', 'signal_at',
        columns=[
            'evaluation_sequence.recent_bless_rate',
        ]
    ) }}
),

last_blessings as (
    {{ pruning_last_known_before(
        'decisions', 'decided_at', 'blessings', 'signal_at',
        columns=[
            'blessings.signal_at as last_blessed_at',
            'blessings.blessed_graphlet_id as last_blessed_graphlet_id',
        ]
    ) }}
),

last_validations as (
    {{ pruning_last_known_before(
        'decisions', 'decided_at', 'validation_sequence', 'signal_at',
        columns=[
            'validation_sequence.n_anomalies as latest_validation_anomalies',
        ]
    ) }}
),

-- Problems since the previous anchor of the node started (its first: the last 24 hours).
problem_window_starts as (
    select
        decisions.graphlet_id,
        decisions.pipeline_id,
        coalesce(
            previous_graphlets.previous_decided_at,
            decisions.decided_at - interval 24 hours
        ) as problems_since
    from decisions
    left join previous_graphlets
        on decisions.graphlet_id = previous_graphlets.graphlet_id
),

problems_now as (
    {{ pruning_last_known_before(
        'decisions', 'decided_at', 'problem_totals', 'signal_at',
        columns=[
            'problem_totals.n_validation_problems',
            'problem_totals.n_upstream_failures',
        ]
    ) }}
),

problems_before as (
    {{ pruning_last_known_before(
        'problem_window_starts', 'problems_since', 'problem_totals', 'signal_at',
        columns=[
            'problem_totals.n_validation_problems',
            'problem_totals.n_upstream_failures',
        ]
    ) }}
),

-- ---- assembled ------------------------------------------------------------------------

final as (
    select
        decisions.graphlet_id,
        decisions.source_id,
        decisions.pipeline_id,
        decisions.node_id,
        decisions.decided_at,
        decisions.split_at,
        coalesce(decisions.decided_at >= decisions.split_at, false) as is_evaluation_range,

        -- the pipeline's history
        pipeline_history.n_prior_graphlets,
        pipeline_history.n_graphlets_prior_24h,
        {{ graphlets_seconds_diff('pipeline_history.pipeline_first_decided_at', 'decisions.decided_at') }}
            / 3600.0 as pipeline_age_hours,
        coalesce(known_outcomes.n_known_outcomes, 0) as n_known_outcomes,
        coalesce(known_outcomes.n_known_pushed, 0) as n_known_pushed,
        coalesce(known_outcomes.n_known_training_failed, 0) as n_known_training_failed,
        recent_finals.recent_push_rate,
        coalesce(recent_finals.n_unpushed_since_last_push, 0) as n_unpushed_since_last_push,
        {{ graphlets_seconds_diff('last_pushes.last_push_known_at', 'decisions.decided_at') }} / 3600.0
            as hours_since_last_push,
        coalesce(last_pushes.n_pushes, 0) - coalesce(pushes_before_window.n_pushes, 0)
            as n_pushes_trailing_window,
        recent_evaluations.recent_bless_rate,
        {{ graphlets_seconds_diff('last_blessings.last_blessed_at', 'decisions.decided_at') }} / 3600.0
            as hours_since_last_blessed,

        -- the previous graphlet of the same node
        previous_graphlets.previous_graphlet_id,
        {{ graphlets_seconds_diff('previous_graphlets.previous_decided_at', 'decisions.decided_at') }}
            / 3600.0 as hours_since_previous_graphlet,
        case
            when previous_graphlets.previous_graphlet_id is not null
                then coalesce(previous_known_outcomes.outcome, 'pending')
        end as previous_known_outcome,

        -- data: spans, inputs, schema, transform graph
        decisions.input_span_min,
        decisions.input_span_max,
        decisions.input_span_max - previous_graphlets.previous_input_span_max
            as span_advance_since_previous,
        decisions.input_span_max - last_pushed.input_span_max as span_advance_since_last_push,
        decisions.input_span_max - last_blessed.input_span_max
            as span_advance_since_last_blessed,
        case
            when previous_graphlets.previous_graphlet_id is not null
                then coalesce(new_anchor_inputs.n_new_anchor_inputs, 0)
        end as n_new_anchor_inputs,
        graphlet_inputs.schema_artifact_id,
        graphlet_inputs.schema_artifact_id
            is distinct from previous_inputs.schema_artifact_id
            and previous_graphlets.previous_graphlet_id is not null
            as is_schema_changed_since_previous,
        graphlet_inputs.schema_artifact_id
            is distinct from last_pushed_inputs.schema_artifact_id
            and last_pushes.last_pushed_graphlet_id is not null
            as is_schema_changed_since_last_push,
        graphlet_inputs.transform_graph_artifact_id
            is distinct from previous_inputs.transform_graph_artifact_id
            and previous_graphlets.previous_graphlet_id is not null
            as is_transform_graph_changed_since_previous,

        -- upstream
        upstream_summary.n_upstream_members,
        upstream_summary.n_upstream_cached,
        upstream_summary.upstream_cost,
        case
            when previous_graphlets.previous_graphlet_id is not null
                then upstream_summary.n_new_upstream_members
        end as n_new_upstream_members,
        case
            when previous_graphlets.previous_graphlet_id is not null
                then upstream_summary.new_upstream_cost
        end as new_upstream_cost,
        upstream_summary.n_upstream_nodes <> previous_upstream.n_upstream_nodes
            or upstream_summary.node_set_signature <> previous_upstream.node_set_signature
            as is_upstream_node_set_changed,
        last_validations.latest_validation_anomalies,
        coalesce(problems_now.n_validation_problems, 0)
            - coalesce(problems_before.n_validation_problems, 0)
            as n_validation_problems_since_previous,
        coalesce(problems_now.n_upstream_failures, 0)
            - coalesce(problems_before.n_upstream_failures, 0)
            as n_upstream_failures_since_previous,

        -- the anchor itself
        round(recent_costs.recent_anchor_cost, 6) as recent_anchor_cost,
        decisions.parent_graphlet_id is not null as is_warm_start,
        coalesce(anchor_input_counts.n_anchor_inputs, 0) as n_anchor_inputs
    from decisions
    inner join pipeline_history
        on decisions.graphlet_id = pipeline_history.graphlet_id
    inner join upstream_summary
        on decisions.graphlet_id = upstream_summary.graphlet_id
    inner join graphlet_inputs
        on decisions.graphlet_id = graphlet_inputs.graphlet_id
    left join previous_graphlets
        on decisions.graphlet_id = previous_graphlets.graphlet_id
    left join previous_known_outcomes
        on decisions.graphlet_id = previous_known_outcomes.graphlet_id
    left join graphlet_inputs as previous_inputs
        on previous_graphlets.previous_graphlet_id = previous_inputs.graphlet_id
    left join upstream_summary as previous_upstream
        on previous_graphlets.previous_graphlet_id = previous_upstream.graphlet_id
    left join new_anchor_inputs
        on decisions.graphlet_id = new_anchor_inputs.graphlet_id
    left join known_outcomes
        on decisions.graphlet_id = known_outcomes.graphlet_id
    left join last_pushes
        on decisions.graphlet_id = last_pushes.graphlet_id
    left join pushes_before_window
        on decisions.graphlet_id = pushes_before_window.graphlet_id
    left join decisions as last_pushed
        on last_pushes.last_pushed_graphlet_id = last_pushed.graphlet_id
    left join graphlet_inputs as last_pushed_inputs
        on last_pushes.last_pushed_graphlet_id = last_pushed_inputs.graphlet_id
    left join recent_finals
        on decisions.graphlet_id = recent_finals.graphlet_id
    left join recent_evaluations
        on decisions.graphlet_id = recent_evaluations.graphlet_id
    left join last_blessings
        on decisions.graphlet_id = last_blessings.graphlet_id
    left join decisions as last_blessed
        on last_blessings.last_blessed_graphlet_id = last_blessed.graphlet_id
    left join last_validations
        on decisions.graphlet_id = last_validations.graphlet_id
    left join problems_now
        on decisions.graphlet_id = problems_now.graphlet_id
    left join problems_before
        on decisions.graphlet_id = problems_before.graphlet_id
    left join anchor_input_counts
        on decisions.graphlet_id = anchor_input_counts.graphlet_id
    left join recent_costs
        on decisions.graphlet_id = recent_costs.graphlet_id
)

select * from final
