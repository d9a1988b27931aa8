{{ config(severity='warn') }}
-- Spec sections 1 and 8: an unknown (0/NULL timestamp) or negative duration costs 0.
select source_id, source_execution_id, state, started_at, ended_at
from {{ ref('int_executions') }}
where cost_basis = 'unknown_duration'
