-- tool: Grafana (PostgreSQL data source, legacy query editor: buildDatatypeQuery for marts.fct_graphlets.outcome)
-- source: grafana/grafana public/app/plugins/datasource/postgres/meta_query.ts
-- asks: a column's type name
-- expect: text
SELECT udt_name FROM information_schema.columns WHERE table_schema = 'marts' AND table_name = 'fct_graphlets' AND column_name = 'outcome'
