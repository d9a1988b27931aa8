-- tool: Tableau (closed source; its JDBC connector reads a table's columns from an empty result, CAP_QUERY_WHERE_FALSE_METADATA)
-- source: not found in public sources; written from the CAP_QUERY_WHERE_FALSE_METADATA capability of tableau/connector-plugin-sdk samples/plugins/postgres_jdbc/manifest.xml (the text is Tableau's own)
-- asks: the columns of marts.fct_graphlets, no rows
-- expect: column:graphlet_id
-- expect: column:outcome
SELECT * FROM "marts"."fct_graphlets" WHERE (1 = 0)
