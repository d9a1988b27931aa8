-- tool: Tableau (closed source; its ODBC connection goes through psqlODBC, its JDBC one through pgjdbc (pgjdbc_*): SQLTables with SQL_ALL_SCHEMAS: the schema list)
-- source: postgresql-interfaces/psqlodbc info.c
-- asks: every schema that is not a system schema
-- expect: marts
select NULL, nspname, NULL from pg_catalog.pg_namespace n where true and nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'pg_temp_1') order by nspname
