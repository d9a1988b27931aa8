-- tool: Tableau (PostgreSQL connector: the tables and views it lists)
-- asks: every user relation with its schema and kind
-- expect: fct_graphlets
select relname, nspname, relkind from pg_catalog.pg_class c, pg_catalog.pg_namespace n where relkind in ('r', 'v', 'm', 'f', 'p') and nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'pg_temp_1') and n.oid = relnamespace order by nspname, relname
