-- tool: Grafana (Postgres datasource query editor: the schema list)
-- asks: the schemas that are not system schemas
-- expect: marts
SELECT DISTINCT quote_ident(table_schema) AS "schema" FROM information_schema.tables WHERE table_schema NOT IN ('information_schema', 'pg_catalog', '_timescaledb_cache', '_timescaledb_catalog', '_timescaledb_internal', '_timescaledb_config', 'timescaledb_information', 'timescaledb_experimental') AND table_schema NOT LIKE 'pg_%' ORDER BY 1
