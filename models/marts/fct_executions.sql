{#- One row per execution of every source: the canonical execution with its waste class
    (docs/semantics.md section 5) and how many graphlets contain it. -#}
with

executions as (
    select * from {{ ref('int_executions') }}
),

execution_waste as (
    select * from {{ ref('int_graphlet_execution_waste') }}
),

members as (
    select * from {{ ref('int_graphlet_members') }}
),

cycles as (
    select * from {{ ref('int_graphlet_walk_cycles') }}
),

downstream_owners as (
    select
        execution_id,
        graphlet_id as downstream_graphlet_id
    from members
    where relation = 'downstream'
),

final as (
    select
        executions.execution_id,
        executions.source_id,
        executions.source_execution_id,
        executions.pipeline_id,
        executions.pipeline_name,
        executions.node_id,
        executions.type_name,
        executions.role,
        executions.state,
        executions.started_at,
        executions.ended_at,
        executions.duration_seconds,
        executions.cost,
        executions.cost_basis,
        execution_waste.waste_class,
        execution_waste.n_graphlets,
        downstream_owners.downstream_graphlet_id,
        cycles.execution_id is not null as is_on_cycle,
        executions.source_kind,
        executions.source_execution_key,
        executions.execution_name
    from executions
    inner join execution_waste
        on executions.execution_id = execution_waste.execution_id
    left join downstream_owners
        on executions.execution_id = downstream_owners.execution_id
    left join cycles
        on executions.execution_id = cycles.execution_id
)

select * from final
