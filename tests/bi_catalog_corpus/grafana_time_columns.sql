-- tool: Grafana (Postgres datasource query editor: the time columns a panel can use)
-- asks: the timestamp and date columns of marts.fct_executions
-- expect: started_at
SELECT quote_ident(column_name) AS "column", data_type AS "type" FROM information_schema.columns WHERE quote_ident(table_schema) = 'marts' AND quote_ident(table_name) = 'fct_executions' AND data_type IN ('timestamp without time zone', 'timestamp with time zone', 'bigint', 'integer', 'double precision', 'real', 'date') ORDER BY column_name
