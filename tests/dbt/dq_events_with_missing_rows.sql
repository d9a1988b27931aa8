{{ config(severity='warn') }}
-- docs/semantics.md sections 1 and 8: events whose execution or artifact does not exist take no part in
-- the graph. One row per (event, missing row).
select * from {{ ref('dq_quarantine') }}
where reason in ('event references a missing execution', 'event references a missing artifact')
