{#- raw.mlflow_latest_metrics, 1:1 (docs/mlflow.md section 2). -#}
with

source as (
    select * from {{ source('raw', 'mlflow_latest_metrics') }}
),

final as (
    select * from source
)

select * from final
