-- tool: Superset (PostgresEngineSpec.get_prequeries: SQL Lab runs it before a query in schema marts)
-- source: apache/superset superset/db_engine_specs/postgres.py
-- asks: unqualified names resolve in marts
-- expect: status
set search_path = "marts"
