{{ config(severity='warn') }}
-- docs/semantics.md section 8: a timestamp later than the source's latest load plus
-- var dq_future_tolerance_hours; used as recorded.
select * from {{ ref('dq_quarantine') }}
where reason = 'timestamp far in the future'
