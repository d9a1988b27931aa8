-- tool: Grafana (PostgreSQL data source, on save and test: getVersion)
-- source: grafana/grafana public/app/plugins/datasource/grafana-postgresql-datasource/postgresMetaQuery.ts
-- asks: the server's major version times 100 (a double here: DuckDB divides integers exactly; Grafana reads a number either way)
-- expect: 1500.0
SELECT current_setting('server_version_num')::int/100 as version
