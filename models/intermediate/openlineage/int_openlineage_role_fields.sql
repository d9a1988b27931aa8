{#- The OpenLineage source's role fields (docs/semantics.md section 1.4; docs/openlineage.md
    section 6.4): per run, the fields the role rules of seeds/role_rules.csv may match:
    `job_name` (the whole job name), `task_name` (the job name without the `<pipeline>.`
    prefix: the part that names the step), the jobType facet's `job_type` and
    `integration`; and `graphlets_role`, the explicit marker from the `graphlets` run or job
    facet, which overrides the rules. -#}
{{ config(materialized='view') }}
with

runs as (
    select * from {{ ref('int_openlineage_runs') }}
    where not is_parent_run
),

executions as (
    select * from {{ ref('int_openlineage_graph_executions') }}
),

fields as (
    select executions.execution_id, 'job_name' as field, runs.job_name as value
    from runs
    inner join executions
        on runs.source_id = executions.source_id
        and runs.run_id = executions.source_execution_key
    union all
    select executions.execution_id, 'task_name', executions.node_id
    from executions
    union all
    select executions.execution_id, 'job_type', runs.job_type
    from runs
    inner join executions
        on runs.source_id = executions.source_id
        and runs.run_id = executions.source_execution_key
    union all
    select executions.execution_id, 'integration', runs.job_integration
    from runs
    inner join executions
        on runs.source_id = executions.source_id
        and runs.run_id = executions.source_execution_key
    union all
    select executions.execution_id, 'graphlets_role', runs.explicit_role
    from runs
    inner join executions
        on runs.source_id = executions.source_id
        and runs.run_id = executions.source_execution_key
),

final as (
    select execution_id, 'openlineage' as source_kind, field, value
    from fields
    where value is not null
)

select * from final
