-- tool: Superset (SQLAlchemy postgresql dialect, get_schema_names)
-- asks: the schemas a user can pick
-- expect: marts
SELECT pg_catalog.pg_namespace.nspname FROM pg_catalog.pg_namespace WHERE pg_catalog.pg_namespace.nspname NOT LIKE 'pg\_%' ESCAPE '\' ORDER BY pg_catalog.pg_namespace.nspname
