-- tool: Tableau (closed source; its ODBC connection goes through psqlODBC, its JDBC one through pgjdbc (pgjdbc_*): on connect, the longest identifier)
-- source: postgresql-interfaces/psqlodbc connection.c
-- asks: max_identifier_length
-- expect: 63
show max_identifier_length
