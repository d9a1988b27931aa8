{#- raw.mlflow_model_versions, 1:1 (docs/mlflow.md section 2). -#}
with

source as (
    select * from {{ source('raw', 'mlflow_model_versions') }}
),

final as (
    select * from source
)

select * from final
