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

previous_runs as (
    {% call graphlets_qualify(
        'row_number() over (
            partition by later.execution_id
            order by earlier.ended_at desc, earlier.started_at desc, earlier.execution_id desc
        )',
        '= 1') -%}
    select
        later.execution_id,
        earlier.execution_id as previous_execution_id,
    from span_readers as later
    inner join span_readers as earlier
        on later.pipeline_id = earlier.pipeline_id
        and later.node_id = earlier.node_id
        and later.execution_id <> earlier.execution_id
        and earlier.ended_at <= later.started_at
    where earlier.state = 'COMPLETE'
    {%- endcall %}
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
