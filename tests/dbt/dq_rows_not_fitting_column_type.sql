{{ config(severity='warn') }}
-- docs/semantics.md section 8: rows the loader quarantined because a value does not fit the MLMD
-- column's type (a SQLite store holds any value in any column); not loaded.
select * from {{ ref('dq_quarantine') }}
where reason = 'value does not fit the column type'
