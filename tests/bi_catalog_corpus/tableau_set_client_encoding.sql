-- tool: Tableau (closed source; its ODBC connection goes through psqlODBC, its JDBC one through pgjdbc (pgjdbc_*): on connect when the client encoding differs, CC_send_client_encoding)
-- source: postgresql-interfaces/psqlodbc connection.c
-- asks: the encoding text arrives in
-- expect: status
set client_encoding to 'UTF8'
