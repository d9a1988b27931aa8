{{ config(severity='warn') }}
-- docs/semantics.md section 8: rows the loader quarantined because their key occurs more than once in
-- one read of the source table (every copy); not loaded.
select * from {{ ref('dq_quarantine') }}
where reason = 'duplicate key in source table'
