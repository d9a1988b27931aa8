-- tool: Tableau (closed source; the result-column types a connector reads)
-- source: not found in public sources; written from Tableau's documented PostgreSQL type support
-- asks: the names and kinds of the base types it reads
-- expect: int8
-- expect: numeric
select oid, typname, typtype, typlen from pg_catalog.pg_type where oid in (16, 20, 23, 25, 701, 1082, 1114, 1700) order by oid
