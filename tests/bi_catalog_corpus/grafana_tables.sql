-- tool: Grafana (PostgreSQL data source, query editor: showTables('marts'), the table picker of a schema)
-- source: grafana/grafana public/app/plugins/datasource/grafana-postgresql-datasource/postgresMetaQuery.ts
-- asks: the tables of schema marts, quoted as identifiers
-- expect: fct_graphlets
SELECT quote_ident(table_name) AS "table"
      FROM information_schema.tables
      WHERE quote_ident(table_schema) = 'marts'
      ORDER BY 1
