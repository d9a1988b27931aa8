-- tool: Grafana (PostgreSQL data source, on save and test: getTimescaleDBVersion)
-- source: grafana/grafana public/app/plugins/datasource/grafana-postgresql-datasource/postgresMetaQuery.ts
-- asks: the TimescaleDB extension's version (none)
-- expect: runs
SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'
