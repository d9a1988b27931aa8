{#- The OpenLineage source's clock (docs/semantics.md section 3.2): per source, the latest run
    end and the latest event time, over every event (JobEvents and DatasetEvents included).
    int_sources takes the later. -#}
{{ config(materialized='view') }}
with

runs as (
    select * from {{ ref('int_openlineage_runs') }}
),

events as (
    select * from {{ ref('stg_openlineage__events') }}
),

run_ends as (
    select source_id, max(ended_at) as last_execution_end_at
    from runs
    group by source_id
),

event_times as (
    select source_id, max(event_at) as last_event_at
    from events
    group by source_id
),

final as (
    select
        event_times.source_id,
        run_ends.last_execution_end_at,
        event_times.last_event_at,
    from event_times
    left join run_ends
        on event_times.source_id = run_ends.source_id
)

select * from final
