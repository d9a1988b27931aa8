{{ config(severity='warn') }}
-- docs/semantics.md sections 1 and 8: an execution with no pipeline context belongs to `(none)`; one
-- with several takes the lowest context id. One row per such execution.
select source_id, source_execution_id, pipeline_name, n_pipeline_contexts
from {{ ref('int_executions') }}
where n_pipeline_contexts <> 1
