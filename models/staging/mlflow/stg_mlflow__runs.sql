{#- raw.mlflow_runs, 1:1 (docs/mlflow.md section 2): times as UTC timestamps (ms since the
    epoch in the store; 0 or NULL is unknown). -#}
with

source as (
    select * from {{ source('raw', 'mlflow_runs') }}
),

final as (
    select
        source_id,
        run_uuid,
        name as run_name,
        status,
        {{ mlmd_timestamp('start_time') }} as started_at,
        {{ mlmd_timestamp('end_time') }} as ended_at,
        experiment_id,
        lifecycle_stage,
        user_id,
        source_type,
        source_name,
        entry_point_name,
    from source
)

select * from final
