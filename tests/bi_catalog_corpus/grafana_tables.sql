-- tool: Grafana (Postgres datasource query editor: the table list of a schema)
-- asks: the tables of schema marts, quoted as identifiers
-- expect: fct_graphlets
SELECT quote_ident(table_name) AS "table" FROM information_schema.tables WHERE quote_ident(table_schema) = 'marts' AND table_type = 'BASE TABLE' ORDER BY table_name
