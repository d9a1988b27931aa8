{#- Every source row the warehouse cannot use as recorded, with the reason (docs/semantics.md section 8).
    One row per (row, reason). Stage `load`: the loader quarantined the row, it is not in
    the raw tables (loaders/mlmd/quarantine.py). Stage `model`: the row is loaded and the models
    apply the documented rule for it (`effect` says which). Each reason is counted by a
    data-quality test of severity warn (tests/dbt/dq_*.sql). -#}
with

quarantined_rows as (
    select * from {{ ref('int_mlmd_quarantined_rows') }}
),

-- OpenLineage records that are no events name no run: no warehouse key.
openlineage_quarantined_rows as (
    select * from {{ ref('stg_openlineage__quarantined_rows') }}
),

events as (
    select * from {{ ref('int_mlmd_events') }}
),

executions as (
    select * from {{ ref('int_mlmd_executions') }}
),

artifacts as (
    select * from {{ ref('int_mlmd_artifacts') }}
),

types as (
    select * from {{ ref('stg_mlmd__types') }}
),

loads as (
    select * from {{ ref('stg_bookkeeping__loads') }}
),

graph_executions as (
    select * from {{ ref('int_executions') }}
),

graph_events as (
    select * from {{ ref('int_events') }}
),

loaded as (
    select
        source_id,
        'load' as stage,
        table_name,
        source_row_id,
        warehouse_key,
        reason,
        detail,
        'not loaded (an earlier load''s row under its key, if any, is kept)' as effect,
        load_id,
        row_json,
    from quarantined_rows
    union all
    select
        source_id,
        'load' as stage,
        table_name,
        source_row_id,
        null::bigint as warehouse_key,
        reason,
        detail,
        'not loaded' as effect,
        load_id,
        row_json,
    from openlineage_quarantined_rows
),

-- docs/semantics.md section 1: an event whose execution or artifact does not exist takes no part in
-- the graph. An event missing both is listed under both reasons.
event_links as (
    select
        events.*,
        executions.execution_id is null as is_missing_execution,
        artifacts.artifact_id is null as is_missing_artifact,
    from events
    left join executions
        on events.execution_id = executions.execution_id
    left join artifacts
        on events.artifact_id = artifacts.artifact_id
    where executions.execution_id is null or artifacts.artifact_id is null
),

events_missing_rows as (
    select
        source_id,
        'model' as stage,
        'Event' as table_name,
        source_event_id as source_row_id,
        event_id as warehouse_key,
        'event references a missing execution' as reason,
        'execution ' || source_execution_id as detail,
        'takes no part in the graph' as effect,
    from event_links
    where is_missing_execution
    union all
    select
        source_id,
        'model',
        'Event',
        source_event_id,
        event_id,
        'event references a missing artifact',
        'artifact ' || source_artifact_id,
        'takes no part in the graph',
    from event_links
    where is_missing_artifact
),

unknown_execution_types as (
    select
        executions.source_id,
        'model' as stage,
        'Execution' as table_name,
        executions.source_execution_id as source_row_id,
        executions.execution_id as warehouse_key,
        'execution type is not a known execution type' as reason,
        case
            when types.type_id is null
                then 'type ' || executions.type_id || ' does not exist'
            else 'type ' || executions.type_id || ' (' || types.type_name || ') is of kind '
                || types.type_kind
        end as detail,
        'type `(unknown type)`, role `other`' as effect,
    from executions
    left join types
        on executions.source_id = types.source_id
        and executions.type_id = types.type_id
    where types.type_id is null or types.type_kind <> 'execution'
),

unknown_times as (
    select
        source_id,
        'model' as stage,
        'Execution' as table_name,
        source_execution_id as source_row_id,
        execution_id as warehouse_key,
        'execution has an unknown start or end time' as reason,
        concat_ws(
            '; ',
            case when started_at is null then
                'create_time_since_epoch ' || coalesce(created_ms::varchar, 'NULL') end,
            case when ended_at is null then
                'last_update_time_since_epoch ' || coalesce(updated_ms::varchar, 'NULL') end
        ) as detail,
        'duration unknown: costs 0 unless CACHED or priced by the cost property' as effect,
    from executions
    where started_at is null or ended_at is null
),

ending_before_start as (
    select
        source_id,
        'model' as stage,
        'Execution' as table_name,
        source_execution_id as source_row_id,
        execution_id as warehouse_key,
        'execution ends before it starts' as reason,
        'ends ' || {{ graphlets_ms_as_seconds('created_ms - updated_ms') }} || ' s before it starts'
            as detail,
        'duration negative: costs 0 unless CACHED or priced by the cost property' as effect,
    from executions
    where ended_at < started_at
),

-- "Far in the future": later than the source's latest load plus
-- var dq_future_tolerance_hours (clock skew); no store can have recorded it yet.
future_bounds as (
    select
        source_id,
        max(finished_at) as last_loaded_at,
        max(finished_at)
            + {{ graphlets_hours(var('dq_future_tolerance_hours')) }} as bound_at,
    from loads
    group by source_id
),

future_times as (
    select
        executions.source_id,
        'Execution' as table_name,
        executions.source_execution_id as source_row_id,
        executions.execution_id as warehouse_key,
        concat_ws(
            '; ',
            case when executions.started_at > future_bounds.bound_at then
                'started ' || executions.started_at end,
            case when executions.ended_at > future_bounds.bound_at then
                'ended ' || executions.ended_at end
        ) as what,
        future_bounds.last_loaded_at,
    from executions
    inner join future_bounds
        on executions.source_id = future_bounds.source_id
    where executions.started_at > future_bounds.bound_at
        or executions.ended_at > future_bounds.bound_at
    union all
    select
        events.source_id,
        'Event',
        events.source_event_id,
        events.event_id,
        'recorded ' || events.event_at,
        future_bounds.last_loaded_at,
    from events
    inner join future_bounds
        on events.source_id = future_bounds.source_id
    where events.event_at > future_bounds.bound_at
    union all
    select
        artifacts.source_id,
        'Artifact',
        artifacts.source_artifact_id,
        artifacts.artifact_id,
        concat_ws(
            '; ',
            case when artifacts.created_at > future_bounds.bound_at then
                'created ' || artifacts.created_at end,
            case when artifacts.updated_at > future_bounds.bound_at then
                'updated ' || artifacts.updated_at end
        ),
        future_bounds.last_loaded_at,
    from artifacts
    inner join future_bounds
        on artifacts.source_id = future_bounds.source_id
    where artifacts.created_at > future_bounds.bound_at
        or artifacts.updated_at > future_bounds.bound_at
),

future_timestamps as (
    select
        source_id,
        'model' as stage,
        table_name,
        source_row_id,
        warehouse_key,
        'timestamp far in the future' as reason,
        what || ' (UTC), after the latest load (' || last_loaded_at || ')' as detail,
        'used as recorded (it can move the source''s as-of time)' as effect,
    from future_times
),

-- docs/semantics.md section 1: real stores re-emit an artifact only through CACHED executions (and
-- resolvers, which are no producers); two COMPLETE producers both did the work.
complete_producers as (
    select
        graph_events.artifact_id,
        graph_executions.source_execution_id,
    from graph_events
    inner join graph_executions
        on graph_events.execution_id = graph_executions.execution_id
    where
        graph_events.direction = 'output'
        and graph_executions.state = 'COMPLETE'
        and graph_executions.role <> 'resolve'
),

-- Found with a plain count first: the ordered string_agg below then runs only on the
-- flagged artifacts, not on every artifact of the store (27 s at the study's scale).
artifacts_with_several_producers as (
    select artifact_id
    from complete_producers
    group by artifact_id
    having min(source_execution_id) <> max(source_execution_id)
),

several_complete_producers as (
    select
        artifacts.source_id,
        'model' as stage,
        'Artifact' as table_name,
        artifacts.source_artifact_id as source_row_id,
        artifacts.artifact_id as warehouse_key,
        'artifact has several COMPLETE producers' as reason,
        'produced by COMPLETE executions '
            || {{ graphlets_string_agg_distinct(
                'complete_producers.source_execution_id::varchar', "', '"
            ) }} as detail,
        'every producer is walked' as effect,
    from complete_producers
    inner join artifacts_with_several_producers
        on complete_producers.artifact_id = artifacts_with_several_producers.artifact_id
    inner join artifacts
        on complete_producers.artifact_id = artifacts.artifact_id
    group by artifacts.source_id, artifacts.source_artifact_id, artifacts.artifact_id
),

flagged_in_models as (
    select * from events_missing_rows
    union all
    select * from unknown_execution_types
    union all
    select * from unknown_times
    union all
    select * from ending_before_start
    union all
    select * from future_timestamps
    union all
    select * from several_complete_producers
),

final as (
    select * from loaded
    union all
    select
        *,
        null::bigint as load_id,
        null::varchar as row_json,
    from flagged_in_models
)

select * from final
