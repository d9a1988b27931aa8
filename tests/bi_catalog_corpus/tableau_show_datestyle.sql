-- tool: Tableau (closed source; its ODBC connection goes through psqlODBC, its JDBC one through pgjdbc (pgjdbc_*): on connect, LIBPQ_CC_connect)
-- source: postgresql-interfaces/psqlodbc connection.c
-- asks: the date style (it sets ISO only when it is not)
-- expect: starts:ISO
SHOW DateStyle;
