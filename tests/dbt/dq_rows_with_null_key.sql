{{ config(severity='warn') }}
-- docs/semantics.md section 8: rows the loader quarantined because a key column is NULL; not loaded.
select * from {{ ref('dq_quarantine') }}
where reason = 'key is NULL'
