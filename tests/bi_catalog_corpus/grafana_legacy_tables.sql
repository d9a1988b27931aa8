-- tool: Grafana (PostgreSQL data source, legacy query editor: buildTableQuery)
-- source: grafana/grafana public/app/plugins/datasource/postgres/meta_query.ts
-- asks: the tables of the search path's schemas
-- expect: fct_graphlets
SELECT quote_ident(table_name) FROM information_schema.tables WHERE 
table_schema IN (
  SELECT
    CASE WHEN trim(s[i]) = '"$user"' THEN user ELSE trim(s[i]) END
  FROM
    generate_series(
      array_lower(string_to_array(current_setting('search_path'),','),1),
      array_upper(string_to_array(current_setting('search_path'),','),1)
    ) as i,
    string_to_array(current_setting('search_path'),',') s
) ORDER BY table_name
