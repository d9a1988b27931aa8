-- tool: Superset (PostgresEngineSpec.get_cancel_query_id: before every SQL Lab query, to cancel it later)
-- source: apache/superset superset/db_engine_specs/postgres.py
-- asks: the session's process id
-- expect: 0
SELECT pg_backend_pid()
