{{ config(severity='warn') }}
-- docs/semantics.md sections 1 and 8: a cost property that is not a finite non-negative int or double
-- is ignored (the duration is used instead).
select source_id, source_execution_id, cost_basis, cost
from {{ ref('int_executions') }}
where has_invalid_cost_property
