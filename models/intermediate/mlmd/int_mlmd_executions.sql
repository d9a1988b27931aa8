{#- Every MLMD execution with its warehouse key and type name (docs/semantics.md section 1): the
    staging row joined to its source and its type. -#}
{{ config(materialized='view') }}
with

executions as (
    select * from {{ ref('stg_mlmd__executions') }}
),

sources as (
    select * from {{ ref('stg_mlmd__sources') }}
),

types as (
    select * from {{ ref('stg_mlmd__types') }}
),

final as (
    select
        {{ warehouse_key('sources.source_key', 'executions.source_execution_id') }}
            as execution_id,
        executions.source_id,
        executions.source_execution_id,
        executions.type_id,
        types.type_name,
        executions.state,
        executions.execution_name,
        executions.external_id,
        executions.created_ms,
        executions.updated_ms,
        executions.started_at,
        executions.ended_at,
        executions._load_id,
    from executions
    inner join sources
        on executions.source_id = sources.source_id
    -- A type_id that is not an execution type leaves the type unknown (counted in
    -- audit.dq_quarantine): an artifact type's name would give the execution a role.
    left join types
        on executions.source_id = types.source_id
        and executions.type_id = types.type_id
        and types.type_kind = 'execution'
)

select * from final
