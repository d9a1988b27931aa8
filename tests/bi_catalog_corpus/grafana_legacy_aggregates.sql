-- tool: Grafana (PostgreSQL data source, legacy query editor: buildAggregateQuery)
-- source: grafana/grafana public/app/plugins/datasource/postgres/meta_query.ts
-- asks: the aggregates over float8 (a snapshot lists none)
-- expect: runs
SELECT DISTINCT proname FROM pg_aggregate INNER JOIN pg_proc ON pg_aggregate.aggfnoid = pg_proc.oid INNER JOIN pg_type ON pg_type.oid=pg_proc.prorettype WHERE pronargs=1 AND typname IN ('float8') AND aggkind='n' ORDER BY 1
