{#- The OpenLineage source's artifacts in the graph contract (docs/semantics.md sections 1, 3;
    docs/openlineage.md sections 6.2, 6.3): one per dataset version a run read or wrote
    (int_openlineage_run_artifacts). Type: the `graphlets` dataset facet's `type`, else
    `Dataset` (`ModelBlessing` for the verdicts of assertions); `blessed` and `pushed`: the
    `graphlets` output facet's flags, and a verdict's outcome. `source_artifact_key` is the
    identity as text: `<namespace>/<name>@<version key>`. -#}
{{ config(materialized='view') }}
with

run_artifacts as (
    select * from {{ ref('int_openlineage_run_artifacts') }}
),

sources as (
    select * from {{ ref('stg_openlineage__sources') }}
),

aggregated as (
    select
        source_id,
        source_artifact_key,
        any_value(dataset_namespace) as dataset_namespace,
        any_value(dataset_name) as dataset_name,
        any_value(version_key) as version_key,
        max(facet_type) as facet_type,
        max(facet_span) as span,
        bool_or(blessed) as blessed,
        bool_or(pushed) as pushed,
        coalesce(min(event_at) filter (where direction = 'output'), min(event_at))
            as created_at,
    from run_artifacts
    group by source_id, source_artifact_key
),

final as (
    select
        {{ warehouse_key('sources.source_key', 'aggregated.source_artifact_key') }}
            as artifact_id,
        aggregated.source_id,
        'openlineage' as source_kind,
        aggregated.source_artifact_key as source_artifact_id,
        aggregated.dataset_namespace || '/' || aggregated.dataset_name || '@'
            || aggregated.version_key as source_artifact_key,
        aggregated.dataset_name as artifact_name,
        coalesce(aggregated.facet_type, 'Dataset') as type_name,
        aggregated.dataset_namespace || '/' || aggregated.dataset_name as uri,
        cast(null as varchar) as state,
        aggregated.span,
        aggregated.blessed,
        aggregated.pushed,
        aggregated.created_at,
    from aggregated
    inner join sources
        on aggregated.source_id = sources.source_id
)

select * from final
