-- tool: Metabase (PostgreSQL driver, describe-fields pre-processing: the enum types it maps columns to)
-- source: metabase/metabase src/metabase/driver/postgres.clj
-- asks: the enum types (a snapshot has none)
-- expect: runs
SELECT nspname, typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.oid IN (SELECT DISTINCT enumtypid FROM pg_enum e)
