{#- The OpenLineage source's artifacts in the graph contract (docs/semantics.md sections 1, 3;
    docs/openlineage.md sections 6.2, 6.3): one per dataset version a run read or wrote
    (int_openlineage_run_artifacts). Type: the `graphlets` dataset facet's `type`, else
    `Dataset` (`ModelBlessing` for the verdicts of assertions); `blessed` and `pushed`: the
    `graphlets` output facet's flags, and a verdict's outcome. `source_artifact_key` is the
    identity as text: `<namespace>/<name>@<version key>`. `uri` is the dataset's location as
    OpenLineage's naming spec joins namespace and name: a namespace with an authority
    (`s3://lake`, `postgres://db:5432`) and the name with one `/` between them
    (`s3://lake/features/daily`; a name starting with `/` is appended as is, `hdfs://nn/p`);
    a namespace that is only a scheme (`file`, `bigquery`) and the name with `:` between
    them (`file:/tmp/x`, `bigquery:project.dataset.table`); any other namespace and the
    name with `/` (`(graphlets)/verdict`). -#}
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
        -- The URI OpenLineage's naming spec forms (docs/openlineage.md section 6.2).
        case
            when aggregated.dataset_namespace like '%://%'
                then {{ graphlets_rtrim('aggregated.dataset_namespace', "'/'") }}
                || case
                    when {{ graphlets_starts_with('aggregated.dataset_name', "'/'") }} then ''
                    else '/'
                end
                || aggregated.dataset_name
            when {{ graphlets_regexp_matches(
                'aggregated.dataset_namespace', "'^[A-Za-z][A-Za-z0-9+.-]*:?$'"
            ) }}
                then {{ graphlets_rtrim('aggregated.dataset_namespace', "':'") }} || ':'
                || aggregated.dataset_name
            else aggregated.dataset_namespace || '/' || aggregated.dataset_name
        end as uri,
        cast(null as varchar) as state,
        aggregated.span,
        aggregated.blessed,
        aggregated.pushed,
        aggregated.created_at,
        -- the dataset version is the content fingerprint (docs/semantics.md section 9)
        aggregated.version_key as fingerprint,
    from aggregated
    inner join sources
        on aggregated.source_id = sources.source_id
)

select * from final
