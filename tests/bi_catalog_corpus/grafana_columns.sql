-- tool: Grafana (PostgreSQL data source, query editor: getSchema('marts.fct_graphlets'), the column picker)
-- source: grafana/grafana public/app/plugins/datasource/grafana-postgresql-datasource/postgresMetaQuery.ts
-- asks: the columns of marts.fct_graphlets with their Postgres type names
-- expect: graphlet_id
-- expect: bigint
-- expect: text
SELECT quote_ident(column_name) AS "column", data_type AS "type"
    FROM information_schema.columns
    WHERE
      CASE WHEN array_length(parse_ident('marts.fct_graphlets'),1) = 2
        THEN quote_ident(table_schema) = (parse_ident('marts.fct_graphlets'))[1]
          AND quote_ident(table_name) = (parse_ident('marts.fct_graphlets'))[2]
        ELSE quote_ident(table_name) = 'marts.fct_graphlets'
          AND 
          quote_ident(table_schema) IN (
          SELECT
            CASE WHEN trim(s[i]) = '"$user"' THEN user ELSE trim(s[i]) END
          FROM
            generate_series(
              array_lower(string_to_array(current_setting('search_path'),','),1),
              array_upper(string_to_array(current_setting('search_path'),','),1)
            ) as i,
            string_to_array(current_setting('search_path'),',') s
          )
      END
