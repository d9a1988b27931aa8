{#- raw.mlflow_experiments, 1:1 (docs/mlflow.md section 2). -#}
with

source as (
    select * from {{ source('raw', 'mlflow_experiments') }}
),

final as (
    select * from source
)

select * from final
