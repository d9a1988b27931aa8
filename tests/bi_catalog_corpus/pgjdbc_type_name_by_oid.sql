-- tool: Metabase, DBeaver, Tableau (through pgjdbc TypeInfoCache.getPGType: a type's name and schema, by oid)
-- source: pgjdbc/pgjdbc pgjdbc/src/main/java/org/postgresql/jdbc/TypeInfoCache.java
-- asks: the schema and name of type 1184
-- expect: pg_catalog
-- expect: timestamptz
SELECT n.nspname = ANY(current_schemas(true)), n.nspname, t.typname FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON t.typnamespace = n.oid WHERE t.oid = 1184
