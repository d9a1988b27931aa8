{{ config(severity='warn') }}
-- docs/semantics.md section 8: rows the loader quarantined because an earlier load accepted another row
-- (another type, creation time, execution...) under their id; not loaded.
select * from {{ ref('dq_quarantine') }}
where reason = 'id reused by a different row'
