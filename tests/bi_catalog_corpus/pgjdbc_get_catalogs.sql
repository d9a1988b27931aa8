-- tool: Metabase, DBeaver, Tableau (through pgjdbc DatabaseMetaData.getCatalogs)
-- source: pgjdbc/pgjdbc pgjdbc/src/main/java/org/postgresql/jdbc/PgDatabaseMetaData.java
-- asks: the databases a client may connect to
-- expect: graphlets
SELECT datname AS "TABLE_CAT" FROM pg_catalog.pg_database WHERE datallowconn = true ORDER BY datname
