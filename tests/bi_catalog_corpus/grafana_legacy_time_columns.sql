-- tool: Grafana (PostgreSQL data source, legacy query editor, panels made before Grafana 9: buildColumnQuery('time') for marts.fct_executions)
-- source: grafana/grafana public/app/plugins/datasource/postgres/meta_query.ts
-- asks: the time columns a panel can use
-- expect: started_at
SELECT quote_ident(column_name) FROM information_schema.columns WHERE table_schema = 'marts' AND table_name = 'fct_executions' AND data_type IN ('timestamp without time zone','timestamp with time zone','bigint','integer','double precision','real') ORDER BY column_name
