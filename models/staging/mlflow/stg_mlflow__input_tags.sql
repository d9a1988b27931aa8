{#- raw.mlflow_input_tags, 1:1 (docs/mlflow.md section 2). -#}
with

source as (
    select * from {{ source('raw', 'mlflow_input_tags') }}
),

final as (
    select * from source
)

select * from final
