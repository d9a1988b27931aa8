-- tool: Metabase, DBeaver, Tableau (through pgjdbc TypeInfoCache: a type's oid by name, on the search path)
-- source: pgjdbc/pgjdbc pgjdbc/src/main/java/org/postgresql/jdbc/TypeInfoCache.java
-- asks: the oid of type text
-- expect: 25
SELECT pg_type.oid, typname   FROM pg_catalog.pg_type   LEFT   JOIN (select ns.oid as nspoid, ns.nspname, r.r           from pg_namespace as ns           join ( select s.r, (current_schemas(false))[s.r] as nspname                    from generate_series(1, array_upper(current_schemas(false), 1)) as s(r) ) as r          using ( nspname )        ) as sp     ON sp.nspoid = typnamespace  WHERE typname = 'text'  ORDER BY sp.r, pg_type.oid DESC LIMIT 1;
