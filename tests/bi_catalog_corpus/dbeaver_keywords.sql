-- tool: DBeaver (SQL editor keywords; DBeaver's PostgreSQL dialect uses a built-in list, pgAdmin-style clients ask the server)
-- source: not found in public sources; written from PostgreSQL's documented pg_get_keywords() function
-- asks: the keywords as one comma-separated string
-- expect: rows
select string_agg(word, ',') from pg_catalog.pg_get_keywords()
