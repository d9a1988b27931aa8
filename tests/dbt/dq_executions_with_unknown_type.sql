{{ config(severity='warn') }}
-- docs/semantics.md section 8: an execution whose type_id is missing or not an execution type gets type
-- (unknown type) and role other.
select * from {{ ref('dq_quarantine') }}
where reason = 'execution type is not a known execution type'
