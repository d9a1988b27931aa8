-- tool: Metabase, DBeaver, Tableau (through pgjdbc DatabaseMetaData.getImportedKeys first reads the most keys an index may have)
-- source: pgjdbc/pgjdbc pgjdbc/src/main/java/org/postgresql/jdbc/PgDatabaseMetaData.java
-- asks: the max_index_keys setting
-- expect: 32
SELECT setting FROM pg_catalog.pg_settings WHERE name='max_index_keys'
