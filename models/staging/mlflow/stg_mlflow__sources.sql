{#- The MLflow sources (kind `mlflow`) of the loaders' shared register: the ones whose
    warehouse keys the MLflow models build. -#}
with

sources as (
    select * from {{ source('raw', '_sources') }}
),

final as (
    select
        source_id,
        source_key,
        kind as source_kind,
        location,
        first_load_id,
    from sources
    where kind = 'mlflow'
)

select * from final
