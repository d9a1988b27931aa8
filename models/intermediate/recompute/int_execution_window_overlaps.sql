{#- Rolling windows (docs/semantics.md section 9.2): one row per execution that read
    artifacts carrying a `span`, is not CACHED and has a role in var
    `opportunities_incremental_roles`, with the spans it read and how many of
    them the previous run of its node had read already. The previous run is the COMPLETE
    execution of the same pipeline node that read spans and ended last at or before this
    one started (ties: the later start, then the higher execution id); NULL when there is
    none, and then nothing overlaps. `overlap_share` = spans read by both / spans this run
    read: a window that slides by one of k spans shares (k - 1) / k, one that shrinks
    inside the previous window shares 1, one that jumps past it 0. -#}
with

executions as (
    select * from {{ ref('int_executions') }}
),

events as (
    select * from {{ ref('int_events') }}
),

artifacts as (
    select * from {{ ref('int_artifacts') }}
),

input_spans as (
    select distinct
        events.execution_id,
        artifacts.span,
    from events
    inner join artifacts
        on events.artifact_id = artifacts.artifact_id
    where events.direction = 'input' and artifacts.span is not null
),

span_readers as (
    select
        executions.execution_id,
        executions.pipeline_id,
        executions.node_id,
        executions.state,
        executions.started_at,
        executions.ended_at,
        count(*) as n_spans,
        min(input_spans.span) as span_min,
        max(input_spans.span) as span_max,
    from executions
    inner join input_spans
        on executions.execution_id = input_spans.execution_id
    group by all
),

-- The previous run in one ordered pass per node, not a join of every run with every
-- earlier one: the node's candidates (COMPLETE span readers, at their end) and its runs (at
-- their start) in one time order (none of its keys is NULL), candidates first at the same
-- instant, so each run sees the last candidate that ended at or before it started. Candidates are ranked by end,
-- start, id: the last of a tie is the one the rule picks. A run that finds itself (it
-- ended at or before it started) takes the candidate ranked just before it.
candidates as (
    select
        execution_id,
        pipeline_id,
        node_id,
        ended_at,
        row_number() over (
            partition by pipeline_id, node_id
            order by ended_at, started_at, execution_id
        ) as candidate_rank,
    from span_readers
    where state = 'COMPLETE' and ended_at is not null
        and pipeline_id is not null and node_id is not null
),

timeline as (
    select pipeline_id, node_id, ended_at as moment, 0 as kind, candidate_rank,
        cast(null as bigint) as execution_id,
    from candidates
    union all
    select pipeline_id, node_id, started_at as moment, 1 as kind, cast(null as bigint),
        execution_id,
    from span_readers
    where started_at is not null and pipeline_id is not null and node_id is not null
),

last_candidates as (
    select
        execution_id,
        pipeline_id,
        node_id,
        max(candidate_rank) over (
            partition by pipeline_id, node_id
            order by moment nulls first, kind nulls first, candidate_rank nulls first
            rows between unbounded preceding and current row
        ) as candidate_rank,
    from timeline
),

previous_runs as (
    select
        runs.execution_id,
        coalesce(
            nullif(found.execution_id, runs.execution_id), before_found.execution_id
        ) as previous_execution_id,
    from last_candidates as runs
    inner join candidates as found
        on runs.pipeline_id = found.pipeline_id
        and runs.node_id = found.node_id
        and runs.candidate_rank = found.candidate_rank
    left join candidates as before_found
        on found.pipeline_id = before_found.pipeline_id
        and found.node_id = before_found.node_id
        and found.candidate_rank - 1 = before_found.candidate_rank
    where runs.execution_id is not null
        and (found.execution_id <> runs.execution_id or before_found.execution_id is not null)
),

shared_spans as (
    select
        previous_runs.execution_id,
        count(*) as n_overlap_spans,
    from previous_runs
    inner join input_spans as current_spans
        on previous_runs.execution_id = current_spans.execution_id
    inner join input_spans as previous_spans
        on previous_runs.previous_execution_id = previous_spans.execution_id
        and current_spans.span = previous_spans.span
    group by previous_runs.execution_id
),

final as (
    select
        span_readers.execution_id,
        previous_runs.previous_execution_id,
        span_readers.n_spans,
        span_readers.span_min,
        span_readers.span_max,
        coalesce(shared_spans.n_overlap_spans, 0) as n_overlap_spans,
        coalesce(shared_spans.n_overlap_spans, 0) / span_readers.n_spans as overlap_share,
    from span_readers
    left join previous_runs
        on span_readers.execution_id = previous_runs.execution_id
    left join shared_spans
        on span_readers.execution_id = shared_spans.execution_id
    inner join executions
        on span_readers.execution_id = executions.execution_id
    where
        span_readers.state <> 'CACHED'
        and executions.role in (
            {%- for role in var('opportunities_incremental_roles') %}
            '{{ role }}'{{ "," if not loop.last }}
            {%- endfor %}
        )
)

select * from final
