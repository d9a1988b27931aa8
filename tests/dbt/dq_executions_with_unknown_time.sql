{{ config(severity='warn') }}
-- docs/semantics.md sections 1 and 8: a start or end time of 0 or NULL is unknown; the duration is then
-- unknown and costs 0 (unless CACHED or priced by the cost property).
select * from {{ ref('dq_quarantine') }}
where reason = 'execution has an unknown start or end time'
