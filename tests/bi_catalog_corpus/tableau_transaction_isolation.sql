-- tool: Tableau (closed source; its ODBC connection goes through psqlODBC, its JDBC one through pgjdbc (pgjdbc_*): on connect, LIBPQ_CC_connect)
-- source: postgresql-interfaces/psqlodbc connection.c
-- asks: the transaction isolation level
-- expect: read committed
show transaction_isolation
