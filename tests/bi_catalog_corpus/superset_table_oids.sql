-- tool: Superset (SQLAlchemy postgresql dialect, get_pk_constraint: the oids of the tables it reflects; compiled by SQLAlchemy 2.0.54, literals as psycopg2 binds them)
-- source: sqlalchemy/sqlalchemy lib/sqlalchemy/dialects/postgresql/base.py
-- asks: the oid of marts.fct_graphlets
-- expect: fct_graphlets
SELECT pg_catalog.pg_class.oid, pg_catalog.pg_class.relname 
FROM pg_catalog.pg_class JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace 
WHERE pg_catalog.pg_class.relkind = ANY (ARRAY['r', 'p', 'f', 'v', 'm']) AND pg_catalog.pg_namespace.nspname = 'marts' AND pg_catalog.pg_class.relname IN ('fct_graphlets')
