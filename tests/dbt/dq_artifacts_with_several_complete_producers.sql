{{ config(severity='warn') }}
-- docs/semantics.md section 8: an artifact output by two or more COMPLETE executions (resolvers are
-- not producers; a CACHED re-emission next to the original run is normal and not
-- counted). One row per such artifact.
select * from {{ ref('dq_quarantine') }}
where reason = 'artifact has several COMPLETE producers'
