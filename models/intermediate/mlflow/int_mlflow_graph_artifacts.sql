{#- The MLflow source's artifacts in the graph contract (docs/semantics.md sections 1, 3;
    docs/mlflow.md section 3.2): datasets (`Dataset`), logged models (`Model`), the verdict
    of an evaluation run (`ModelBlessing`, `blessed` from its `graphlets.blessed` tag or
    metric), a model version's model when it was registered from a run without a logged
    model (`Model`), and each model version (`RegisteredModel`, `pushed` when it was ever
    seen serving, section 4). `fingerprint`: a dataset's digest, a model version's key (docs/semantics.md
    section 9). -#}
{{ config(materialized='view') }}
with

datasets as (
    select * from {{ ref('stg_mlflow__datasets') }}
),

logged_models as (
    select * from {{ ref('stg_mlflow__logged_models') }}
),

runs as (
    select * from {{ ref('int_mlflow_runs') }}
),

versions as (
    select * from {{ ref('int_mlflow_model_versions') }}
),

keys as (
    select * from {{ ref('stg_mlflow__keys') }}
),

sources as (
    select * from {{ ref('stg_mlflow__sources') }}
),

artifacts as (
    select
        datasets.source_id,
        keys.key_id,
        datasets.dataset_uuid as source_artifact_key,
        datasets.name || '@' || datasets.digest as artifact_name,
        'Dataset' as type_name,
        coalesce(
            {{ graphlets_json_text_if_valid('datasets.dataset_source', ['uri']) }},
            datasets.dataset_source
        ) as uri,
        cast(null as boolean) as blessed,
        cast(null as boolean) as pushed,
        cast(null as timestamp) as created_at,
        datasets.digest as fingerprint,
    from datasets
    inner join keys
        on datasets.source_id = keys.source_id
        and keys.entity = 'dataset'
        and datasets.dataset_uuid = keys.entity_key
    union all
    select
        logged_models.source_id,
        keys.key_id,
        logged_models.model_id,
        logged_models.name,
        'Model',
        logged_models.artifact_location,
        null,
        null,
        {{ mlmd_timestamp('logged_models.creation_timestamp_ms') }},
        null,
    from logged_models
    inner join keys
        on logged_models.source_id = keys.source_id
        and keys.entity = 'logged_model'
        and logged_models.model_id = keys.entity_key
    union all
    select
        source_id, key_id, 'blessing:' || run_uuid, run_name || ' verdict', 'ModelBlessing',
        null, blessed, null, ended_at, null,
    from runs
    where blessed is not null
    union all
    select
        source_id, version_model_key_id, 'run-model:' || version_key, version_key, 'Model',
        uri, null, null, created_at, null,
    from versions
    where model_id is null and run_uuid is not null
    union all
    select
        source_id, key_id, version_key, version_key, 'RegisteredModel', uri, null,
        is_serving, created_at, version_key,
    from versions
),

final as (
    select
        {{ warehouse_key('sources.source_key', 'artifacts.key_id') }} as artifact_id,
        artifacts.source_id,
        'mlflow' as source_kind,
        artifacts.key_id as source_artifact_id,
        artifacts.source_artifact_key,
        artifacts.artifact_name,
        artifacts.type_name,
        artifacts.uri,
        cast(null as varchar) as state,
        cast(null as bigint) as span,
        artifacts.blessed,
        artifacts.pushed,
        artifacts.created_at,
        artifacts.fingerprint,
    from artifacts
    inner join sources
        on artifacts.source_id = sources.source_id
)

select * from final
