-- tool: Tableau (psqlODBC driver, on connect: the client encoding)
-- asks: the encoding text arrives in
-- expect: UTF8
select pg_client_encoding()
