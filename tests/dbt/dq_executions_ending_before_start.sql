{{ config(severity='warn') }}
-- docs/semantics.md sections 1 and 8: a negative duration costs 0 (unless CACHED or priced by the cost
-- property).
select * from {{ ref('dq_quarantine') }}
where reason = 'execution ends before it starts'
