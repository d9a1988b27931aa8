{#- One row per OpenLineage run (docs/openlineage.md section 6.1): every RunEvent of one runId,
    in any order, re-aggregated. State from the latest terminal event (COMPLETE, FAIL ->
    FAILED, ABORT -> CANCELED; none: RUNNING); start the earliest START (else the first
    event); end the terminal event (else the latest event: the last update so far). Facets:
    the latest event carrying one wins. Pipeline: the root parent's job, else the parent's
    job, else the run's own job namespace; pipeline run: the root, else the parent run.
    `source_run_key` numbers the runs of a source in the order they first appeared (load,
    then event time, then runId), which later loads never change. -#}
with

events as (
    select * from {{ ref('stg_openlineage__events') }}
    where event_kind = 'run'
),

sources as (
    select * from {{ ref('stg_openlineage__sources') }}
),

-- The terminal event that decides the state: the latest (a retried run may carry a FAIL
-- and then a COMPLETE); at equal times COMPLETE over FAIL over ABORT, then the hash.
terminals as (
    {% call graphlets_qualify(
        "row_number() over (
            partition by source_id, run_id
            order by event_at desc,
                case event_type when 'COMPLETE' then 0 when 'FAIL' then 1 else 2 end,
                event_hash
        )",
        '= 1') -%}
    select
        source_id,
        run_id,
        event_type as terminal_event_type,
        event_at as terminal_at,
    from events
    where event_type in ('COMPLETE', 'FAIL', 'ABORT')
    {%- endcall %}
),

aggregated as (
    select
        source_id,
        run_id,
        -- A reused runId merges runs: the job of its first event names it.
        {{ graphlets_arg_min('job_namespace', 'event_at') }} as job_namespace,
        {{ graphlets_arg_min('job_name', 'event_at') }} as job_name,
        count(distinct job_namespace || '/' || job_name) as n_jobs,
        {{ graphlets_arg_max('parent_run_id', 'event_at') }}
            filter (where parent_run_id is not null) as parent_run_id,
        {{ graphlets_arg_max('parent_job_namespace', 'event_at') }}
            filter (where parent_job_name is not null) as parent_job_namespace,
        {{ graphlets_arg_max('parent_job_name', 'event_at') }}
            filter (where parent_job_name is not null) as parent_job_name,
        {{ graphlets_arg_max('root_run_id', 'event_at') }}
            filter (where root_run_id is not null) as root_run_id,
        {{ graphlets_arg_max('root_job_namespace', 'event_at') }}
            filter (where root_job_name is not null) as root_job_namespace,
        {{ graphlets_arg_max('root_job_name', 'event_at') }}
            filter (where root_job_name is not null) as root_job_name,
        {{ graphlets_arg_max('job_processing_type', 'event_at') }}
            filter (where job_processing_type is not null) as job_processing_type,
        {{ graphlets_arg_max('job_integration', 'event_at') }}
            filter (where job_integration is not null) as job_integration,
        {{ graphlets_arg_max('job_type', 'event_at') }}
            filter (where job_type is not null) as job_type,
        {{ graphlets_arg_max('error_message', 'event_at') }}
            filter (where error_message is not null) as error_message,
        {{ graphlets_arg_max('run_facet_role', 'event_at') }}
            filter (where run_facet_role is not null) as run_facet_role,
        {{ graphlets_arg_max('job_facet_role', 'event_at') }}
            filter (where job_facet_role is not null) as job_facet_role,
        min(event_at) filter (where event_type = 'START') as first_start_at,
        min(event_at) as first_event_at,
        max(event_at) as last_event_at,
        count(*) as n_events,
        count(*) filter (where event_type = 'START') as n_starts,
        -- First appearance: the earliest (load, event time); a later load cannot lower it.
        min({{ graphlets_struct({
            'load_id': 'cast(load_id as bigint)',
            'event_at': 'cast(event_at as timestamp)',
        }) }}) as first_seen,
    from events
    group by source_id, run_id
),

-- Runs that other runs name as their parent or root: pipeline runs (an Airflow DAG run),
-- containers of the steps rather than steps.
parent_runs as (
    select distinct source_id, parent_run_id as run_id from events
    where parent_run_id is not null
    union
    select distinct source_id, root_run_id from events
    where root_run_id is not null
),

final as (
    select
        aggregated.source_id,
        sources.source_key,
        aggregated.run_id,
        row_number() over (
            partition by aggregated.source_id
            order by aggregated.first_seen, aggregated.run_id
        ) as source_run_key,
        aggregated.job_namespace,
        aggregated.job_name,
        aggregated.n_jobs,
        coalesce(aggregated.root_job_name, aggregated.parent_job_name, aggregated.job_namespace)
            as pipeline_name,
        coalesce(aggregated.root_run_id, aggregated.parent_run_id) as pipeline_run_id,
        aggregated.root_job_name is not null or aggregated.parent_job_name is not null
            as has_parent,
        aggregated.parent_run_id,
        aggregated.parent_job_namespace,
        aggregated.parent_job_name,
        aggregated.root_run_id,
        aggregated.root_job_namespace,
        aggregated.root_job_name,
        case terminals.terminal_event_type
            when 'COMPLETE' then 'COMPLETE'
            when 'FAIL' then 'FAILED'
            when 'ABORT' then 'CANCELED'
            else 'RUNNING'
        end as state,
        coalesce(aggregated.first_start_at, aggregated.first_event_at) as started_at,
        coalesce(terminals.terminal_at, aggregated.last_event_at) as ended_at,
        aggregated.first_event_at,
        aggregated.last_event_at,
        aggregated.n_events,
        aggregated.n_starts,
        aggregated.job_processing_type,
        aggregated.job_integration,
        aggregated.job_type,
        aggregated.error_message,
        coalesce(aggregated.run_facet_role, aggregated.job_facet_role) as explicit_role,
        parent_runs.run_id is not null as is_parent_run,
        aggregated.first_seen.load_id as first_load_id,
    from aggregated
    inner join sources
        on aggregated.source_id = sources.source_id
    left join terminals
        on aggregated.source_id = terminals.source_id
        and aggregated.run_id = terminals.run_id
    left join parent_runs
        on aggregated.source_id = parent_runs.source_id
        and aggregated.run_id = parent_runs.run_id
)

select * from final
