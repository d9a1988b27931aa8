-- tool: Tableau (closed source; its PostgreSQL connection through psqlODBC: on connect, LIBPQ_CC_connect)
-- source: postgresql-interfaces/psqlodbc connection.c
-- asks: the date style (it sets ISO only when it is not)
-- expect: starts:ISO
SHOW DateStyle;
