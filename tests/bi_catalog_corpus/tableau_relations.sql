-- tool: Tableau (closed source; its ODBC connection goes through psqlODBC, its JDBC one through pgjdbc (pgjdbc_*): SQLTables for schema marts: the tables and views it lists)
-- source: postgresql-interfaces/psqlodbc info.c
-- asks: every relation of the schema with its kind
-- expect: fct_graphlets
-- expect: r
select relname, nspname, relkind from pg_catalog.pg_class c, pg_catalog.pg_namespace n where relkind in ('r', 'v', 'm', 'f', 'p') and nspname like 'marts' and nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'pg_temp_1') and n.oid = relnamespace order by nspname, relname
