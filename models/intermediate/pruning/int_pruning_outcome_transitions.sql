{#- What was known, over time, about the outcome of every graphlet (docs/semantics.md sections 3 and 7).
    One row per change of a graphlet's *known outcome*: `known_at` is the moment from which
    the store, as it was then, gives the graphlet the outcome `outcome`.

    The known outcome at time t is docs/semantics.md section 3 applied to the store restricted to what
    existed at t, with t itself as the as-of time:
    - the anchor counts only once it has ended (until then it is RUNNING: `pending`), with
      the state it ended in;
    - a downstream member's outputs count from the moment they became visible: the later of
      the output event and the artifact's creation;
    - a push counts once the push execution has ended COMPLETE or CACHED; it is a push if
      a visible output carries a true `pushed` flag, or no visible output carries a flag;
    - `not_pushed` by age holds from the anchor's end plus `graphlets_pending_grace_hours`.
    The rules (macros/graphlets_outcomes.sql, shared with int_graphlet_outcomes) are
    evaluated at every moment one of these facts appears (the candidate times), in the
    order of docs/semantics.md section 3, and only changes are kept. Timestamps that are unknown
    (0 or NULL) never become known: a fact without a time is never used, so no feature can
    learn from it. A policy deciding at time T reads, for each graphlet, the last row with
    `known_at` strictly before T (none: still `pending`). Changes later than the source's
    as-of time (a grace period that has not ended yet) are not listed.

    Downstream membership is stable over time (a downstream member's owner descends from
    artifacts it read before it started), so the members of int_graphlet_members are the
    members at any earlier time too. -#}
with

anchors as (
    select * from {{ ref('int_graphlet_anchors') }}
),

members as (
    select * from {{ ref('int_graphlet_members') }}
),

executions as (
    select * from {{ ref('int_executions') }}
),

events as (
    select * from {{ ref('int_events') }}
),

artifacts as (
    select * from {{ ref('int_artifacts') }}
),

sources as (
    select * from {{ ref('int_sources') }}
),

-- Every output with the moment it became visible (NULL: never known).
outputs as (
    select
        events.execution_id,
        events.artifact_id,
        case
            when events.event_at is not null
                then greatest(events.event_at, coalesce(artifacts.created_at, events.event_at))
        end as visible_at,
        artifacts.blessed,
        artifacts.pushed
    from events
    inner join artifacts
        on events.artifact_id = artifacts.artifact_id
    where events.direction = 'output'
),

ended_anchors as (
    select
        anchors.graphlet_id,
        anchors.source_id,
        anchors.pipeline_id,
        anchors.node_id,
        anchors.trainer_state,
        anchors.trained_at as anchor_ended_at
    from anchors
    where
        anchors.trainer_state in ('COMPLETE', 'CACHED', 'FAILED', 'CANCELED')
        and anchors.trained_at is not null
),

anchor_outputs as (
    select
        outputs.execution_id as graphlet_id,
        min(outputs.visible_at) as first_output_at
    from outputs
    inner join ended_anchors
        on outputs.execution_id = ended_anchors.graphlet_id
    group by outputs.execution_id
),

downstream_members as (
    select
        members.graphlet_id,
        executions.execution_id,
        executions.role,
        executions.state,
        case
            when executions.state in ('COMPLETE', 'CACHED', 'FAILED', 'CANCELED')
                then executions.ended_at
        end as member_ended_at
    from members
    inner join executions
        on members.execution_id = executions.execution_id
    where
        members.relation = 'downstream'
        and executions.role in ('push', 'infra_validate', 'evaluate')
),

-- One row per downstream member: when each of its verdicts became visible.
member_facts as (
    select
        downstream_members.graphlet_id,
        downstream_members.execution_id,
        downstream_members.role,
        case
            when downstream_members.role = 'push'
                and downstream_members.state in ('COMPLETE', 'CACHED')
                then downstream_members.member_ended_at
        end as push_done_at,
        min(outputs.visible_at) filter (where outputs.pushed) as pushed_true_at,
        min(outputs.visible_at) filter (where outputs.pushed is not null) as pushed_flag_at,
        min(outputs.visible_at) filter (where not outputs.blessed) as blessed_false_at
    from downstream_members
    left join outputs
        on downstream_members.execution_id = outputs.execution_id
    group by
        downstream_members.graphlet_id,
        downstream_members.execution_id,
        downstream_members.role,
        downstream_members.state,
        downstream_members.member_ended_at
),

candidate_times as (
    select graphlet_id, anchor_ended_at as known_at from ended_anchors
    union
    select
        graphlet_id,
        anchor_ended_at + {{ graphlets_pending_grace() }} as known_at
    from ended_anchors
    where trainer_state in ('COMPLETE', 'CACHED')
    union
    select graphlet_id, first_output_at as known_at from anchor_outputs
    union
    select graphlet_id, push_done_at as known_at from member_facts
    union
    select graphlet_id, pushed_true_at as known_at from member_facts
    union
    select graphlet_id, pushed_flag_at as known_at from member_facts
    union
    select graphlet_id, blessed_false_at as known_at from member_facts
),

-- Which verdicts hold at each candidate time (the anchor has ended by then).
verdicts as (
    select
        candidate_times.graphlet_id,
        candidate_times.known_at,
        coalesce(bool_or(
            member_facts.push_done_at <= candidate_times.known_at
            and (
                member_facts.pushed_true_at <= candidate_times.known_at
                or coalesce(member_facts.pushed_flag_at > candidate_times.known_at, true)
            )
        ), false) as has_push,
        coalesce(bool_or(
            member_facts.role = 'infra_validate'
            and member_facts.blessed_false_at <= candidate_times.known_at
        ), false) as has_infra_rejection,
        coalesce(bool_or(
            member_facts.role = 'evaluate'
            and member_facts.blessed_false_at <= candidate_times.known_at
        ), false) as has_evaluation_rejection,
        coalesce(bool_or(
            member_facts.push_done_at <= candidate_times.known_at
            and member_facts.pushed_flag_at <= candidate_times.known_at
            and coalesce(member_facts.pushed_true_at > candidate_times.known_at, true)
        ), false) as has_push_declined
    from candidate_times
    inner join ended_anchors
        on candidate_times.graphlet_id = ended_anchors.graphlet_id
    left join member_facts
        on candidate_times.graphlet_id = member_facts.graphlet_id
    where
        candidate_times.known_at is not null
        and candidate_times.known_at >= ended_anchors.anchor_ended_at
    group by candidate_times.graphlet_id, candidate_times.known_at
),

judged as (
    select
        ended_anchors.graphlet_id,
        ended_anchors.source_id,
        ended_anchors.pipeline_id,
        ended_anchors.node_id,
        verdicts.known_at,
        -- The anchor's end plus the grace is itself a candidate time: the age rule holds
        -- from it on, so a policy reading rows strictly before T sees `not_pushed` only
        -- when the grace ended strictly before T, as int_graphlet_outcomes judges at T.
        {{ graphlets_outcome(
            trainer_state='ended_anchors.trainer_state',
            has_output='coalesce(anchor_outputs.first_output_at <= verdicts.known_at, false)',
            has_push='verdicts.has_push',
            has_infra_rejection='verdicts.has_infra_rejection',
            has_evaluation_rejection='verdicts.has_evaluation_rejection',
            has_push_declined='verdicts.has_push_declined',
            is_past_grace='ended_anchors.anchor_ended_at + ' ~ graphlets_pending_grace()
                ~ ' <= verdicts.known_at',
        ) }} as outcome
    from verdicts
    inner join ended_anchors
        on verdicts.graphlet_id = ended_anchors.graphlet_id
    left join anchor_outputs
        on verdicts.graphlet_id = anchor_outputs.graphlet_id
),

with_previous as (
    select
        *,
        coalesce(
            lag(outcome) over (partition by graphlet_id order by known_at),
            'pending'
        ) as previous_outcome
    from judged
),

-- Changes up to the source's as-of time (a grace period ending later has not ended yet).
changes as (
    select with_previous.*
    from with_previous
    inner join sources
        on with_previous.source_id = sources.source_id
    where
        with_previous.outcome <> with_previous.previous_outcome
        and with_previous.known_at <= sources.as_of_at
),

final as (
    select
        graphlet_id,
        source_id,
        pipeline_id,
        node_id,
        known_at,
        outcome,
        previous_outcome,
        outcome <> 'pending' as is_final,
        row_number() over (partition by graphlet_id order by known_at) as transition_number
    from changes
)

select * from final
