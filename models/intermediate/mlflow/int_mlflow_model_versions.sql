{#- One row per registered model version (docs/mlflow.md section 3.3): the logged model it
    registers (its source `models:/<model_id>`, when the store has that logged model), its
    run, and whether it is serving: it was ever seen (raw.mlflow_registry_sightings) holding
    an alias of var `mlflow_serving_aliases` or the stage Production. -#}
with

versions as (
    select * from {{ ref('stg_mlflow__model_versions') }}
),

logged_models as (
    select * from {{ ref('stg_mlflow__logged_models') }}
),

sightings as (
    select * from {{ ref('stg_mlflow__registry_sightings') }}
),

keys as (
    select * from {{ ref('stg_mlflow__keys') }}
    where entity in ('model_version', 'version_model')
),

serving as (
    select
        source_id,
        model_name,
        version,
        min(first_seen_at) as first_served_seen_at,
    from sightings
    where (holder_kind = 'alias' and lower(holder) in (
            {%- for alias in var('mlflow_serving_aliases') %}
            lower('{{ alias }}'){{ ',' if not loop.last }}
            {%- endfor %}
        ))
        or (holder_kind = 'stage' and lower(holder) = 'production')
    group by source_id, model_name, version
),

final as (
    select
        versions.source_id,
        versions.name as model_name,
        versions.version,
        versions.name || '/' || cast(versions.version as varchar) as version_key,
        version_keys.key_id,
        model_keys.key_id as version_model_key_id,
        logged_models.model_id,
        nullif(versions.run_id, '') as run_uuid,
        versions.source as uri,
        versions.status,
        versions.current_stage,
        {{ mlmd_timestamp('versions.creation_time') }} as created_at,
        serving.version is not null as is_serving,
        serving.first_served_seen_at,
    from versions
    inner join keys as version_keys
        on versions.source_id = version_keys.source_id
        and version_keys.entity = 'model_version'
        and version_keys.entity_key = versions.name || '/' || cast(versions.version as varchar)
    inner join keys as model_keys
        on versions.source_id = model_keys.source_id
        and model_keys.entity = 'version_model'
        and model_keys.entity_key = versions.name || '/' || cast(versions.version as varchar)
    left join logged_models
        on versions.source_id = logged_models.source_id
        and versions.source = 'models:/' || logged_models.model_id
    left join serving
        on versions.source_id = serving.source_id
        and versions.name = serving.model_name
        and versions.version = serving.version
)

select * from final
