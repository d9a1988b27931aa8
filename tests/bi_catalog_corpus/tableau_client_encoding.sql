-- tool: Tableau (closed source; libpq-based clients' encoding check)
-- source: not found in public sources; written from PostgreSQL's documented pg_client_encoding() function
-- asks: the encoding text arrives in
-- expect: UTF8
select pg_client_encoding()
