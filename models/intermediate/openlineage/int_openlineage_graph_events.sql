{#- The OpenLineage source's events in the graph contract (docs/semantics.md section 1.2;
    docs/openlineage.md section 6.2): one per (run, dataset version, direction), at the time
    the run first listed it. The key is the `graphlets` input or output facet's `key`
    (`model`, `baseline_model`, ...). `event_id` numbers the events of a source by run and
    artifact; unlike execution and artifact ids it is not kept across loads. -#}
{{ config(materialized='view') }}
with

run_artifacts as (
    select * from {{ ref('int_openlineage_run_artifacts') }}
),

executions as (
    select * from {{ ref('int_openlineage_graph_executions') }}
),

sources as (
    select * from {{ ref('stg_openlineage__sources') }}
),

final as (
    select
        {{ warehouse_key(
            'sources.source_key',
            'row_number() over (partition by run_artifacts.source_id order by '
            ~ 'executions.source_execution_id, run_artifacts.source_artifact_key, '
            ~ 'run_artifacts.direction)'
        ) }} as event_id,
        run_artifacts.source_id,
        'openlineage' as source_kind,
        executions.execution_id,
        {{ warehouse_key('sources.source_key', 'run_artifacts.source_artifact_key') }}
            as artifact_id,
        run_artifacts.direction,
        upper(run_artifacts.direction) as event_type,
        run_artifacts.event_key,
        run_artifacts.event_at,
    from run_artifacts
    inner join executions
        on run_artifacts.source_id = executions.source_id
        and run_artifacts.run_id = executions.source_execution_key
    inner join sources
        on run_artifacts.source_id = sources.source_id
)

select * from final
