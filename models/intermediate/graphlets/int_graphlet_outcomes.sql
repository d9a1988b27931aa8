{#- The outcome of every graphlet (docs/semantics.md section 3), evaluated in the documented order, the
    first that holds winning (macros/graphlets_outcomes.sql). Only artifacts output by the graphlet's own downstream
    members are read for `blessed` and `pushed` flags; "output" is any output event,
    a cached execution's re-emission included. Ages are judged against the source's
    as-of time (int_sources), never the wall clock.

    `pushed_at` is when the first qualifying push ended (its start where the end is
    unknown); NULL unless the outcome is `pushed`. -#}
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

downstream_members as (
    select
        members.graphlet_id,
        executions.execution_id,
        executions.role,
        executions.state,
        coalesce(executions.ended_at, executions.started_at) as finished_at
    from members
    inner join executions
        on members.execution_id = executions.execution_id
    where members.relation = 'downstream'
),

-- One row per downstream member with what its output artifacts say.
member_verdicts as (
    select
        downstream_members.graphlet_id,
        downstream_members.execution_id,
        downstream_members.role,
        downstream_members.state,
        downstream_members.finished_at,
        coalesce(bool_or(artifacts.pushed), false) as has_pushed_true,
        count(artifacts.pushed) as n_pushed_flags,
        coalesce(bool_or(not artifacts.blessed), false) as has_blessed_false
    from downstream_members
    left join events
        on downstream_members.execution_id = events.execution_id
        and events.direction = 'output'
    left join artifacts
        on events.artifact_id = artifacts.artifact_id
    group by
        downstream_members.graphlet_id,
        downstream_members.execution_id,
        downstream_members.role,
        downstream_members.state,
        downstream_members.finished_at
),

-- A COMPLETE or CACHED push counts as a push when it output a true `pushed` flag or
-- no `pushed` flag at all (no outputs, no property, or values that are not flags).
graphlet_verdicts as (
    select
        graphlet_id,
        bool_or(
            role = 'push'
            and state in ('COMPLETE', 'CACHED')
            and (has_pushed_true or n_pushed_flags = 0)
        ) as has_push,
        min(finished_at) filter (
            where role = 'push'
            and state in ('COMPLETE', 'CACHED')
            and (has_pushed_true or n_pushed_flags = 0)
        ) as pushed_at,
        bool_or(
            role = 'push'
            and state in ('COMPLETE', 'CACHED')
            and n_pushed_flags > 0
            and not has_pushed_true
        ) as has_push_declined,
        bool_or(role = 'infra_validate' and has_blessed_false) as has_infra_rejection,
        bool_or(role = 'evaluate' and has_blessed_false) as has_evaluation_rejection
    from member_verdicts
    group by graphlet_id
),

judged as (
    select
        anchors.graphlet_id,
        sources.as_of_at,
        {{ graphlets_outcome(
            trainer_state='anchors.trainer_state',
            has_output='anchors.n_output_artifacts > 0',
            has_push='graphlet_verdicts.has_push',
            has_infra_rejection='graphlet_verdicts.has_infra_rejection',
            has_evaluation_rejection='graphlet_verdicts.has_evaluation_rejection',
            has_push_declined='graphlet_verdicts.has_push_declined',
            is_past_grace='anchors.trained_at < sources.as_of_at - '
                ~ graphlets_pending_grace(),
        ) }} as outcome,
        graphlet_verdicts.pushed_at
    from anchors
    left join graphlet_verdicts
        on anchors.graphlet_id = graphlet_verdicts.graphlet_id
    left join sources
        on anchors.source_id = sources.source_id
),

final as (
    select
        graphlet_id,
        outcome,
        outcome = 'pushed' as is_pushed,
        outcome <> 'pending' as is_final,
        case when outcome = 'pushed' then pushed_at end as pushed_at,
        as_of_at
    from judged
)

select * from final
