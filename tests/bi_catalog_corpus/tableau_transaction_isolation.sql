-- tool: Tableau (closed source; its PostgreSQL connection through psqlODBC: on connect, LIBPQ_CC_connect)
-- source: postgresql-interfaces/psqlodbc connection.c
-- asks: the transaction isolation level
-- expect: read committed
show transaction_isolation
