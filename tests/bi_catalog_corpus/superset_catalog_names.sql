-- tool: Superset (PostgresEngineSpec.get_catalog_names: the databases it offers as catalogs)
-- source: apache/superset superset/db_engine_specs/postgres.py
-- asks: every database that is not a template
-- expect: graphlets
SELECT datname FROM pg_database
WHERE datistemplate = false;
