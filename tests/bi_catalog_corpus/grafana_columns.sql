-- tool: Grafana (Postgres datasource query editor: the columns of a table)
-- asks: the columns of marts.fct_graphlets with their Postgres type names
-- expect: graphlet_id
-- expect: bigint
-- expect: text
SELECT quote_ident(column_name) AS "column", data_type AS "type" FROM information_schema.columns WHERE quote_ident(table_schema) = 'marts' AND quote_ident(table_name) = 'fct_graphlets' ORDER BY ordinal_position
