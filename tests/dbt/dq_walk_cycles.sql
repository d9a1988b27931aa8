{{ config(severity='warn') }}
-- docs/semantics.md section 8: a cycle in the provenance graph (only a corrupt store has one; walks
-- still terminate at the hop bound). One row per execution on a cycle.
select
    cycles.execution_id,
    executions.source_id,
    executions.pipeline_id,
    executions.node_id,
    cycles.cycle_length
from {{ ref('int_graphlet_walk_cycles') }} as cycles
inner join {{ ref('int_executions') }} as executions
    on cycles.execution_id = executions.execution_id
