-- tool: Metabase, DBeaver, Tableau (through pgjdbc TypeInfoCache: the oid of a schema-qualified type name, pg_catalog.int8)
-- source: pgjdbc/pgjdbc pgjdbc/src/main/java/org/postgresql/jdbc/TypeInfoCache.java
-- asks: the oid of pg_catalog.int8
-- expect: 20
SELECT t.oid, t.typname   FROM pg_catalog.pg_type t  JOIN pg_catalog.pg_namespace n ON t.typnamespace = n.oid WHERE t.typname = 'int8' AND (n.nspname = 'pg_catalog' OR false AND n.nspname = ANY (current_schemas(true))) ORDER BY t.oid DESC LIMIT 1
