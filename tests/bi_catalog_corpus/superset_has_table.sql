-- tool: Superset (SQLAlchemy postgresql dialect, has_table in schema marts)
-- asks: whether marts.fct_graphlets exists
-- expect: fct_graphlets
SELECT pg_catalog.pg_class.relname FROM pg_catalog.pg_class JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace WHERE pg_catalog.pg_class.relname = 'fct_graphlets' AND pg_catalog.pg_class.relkind = ANY (ARRAY['r', 'p', 'f', 'v', 'm']) AND pg_catalog.pg_namespace.nspname = 'marts'
