-- tool: Tableau (closed source; its PostgreSQL connection through psqlODBC: on connect when the client encoding differs, CC_send_client_encoding)
-- source: postgresql-interfaces/psqlodbc connection.c
-- asks: the encoding text arrives in
-- expect: status
set client_encoding to 'UTF8'
