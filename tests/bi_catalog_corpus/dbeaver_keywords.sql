-- tool: DBeaver (PostgreSQL plugin, on connect: the server's keywords for its SQL editor)
-- asks: the keywords as one comma-separated string
-- expect: rows
select string_agg(word, ',') from pg_catalog.pg_get_keywords()
