-- tool: Tableau (closed source; its ODBC connection goes through psqlODBC, its JDBC one through pgjdbc (pgjdbc_*): on connect, whether the large-object type exists)
-- source: postgresql-interfaces/psqlodbc connection.c
-- asks: the oid of type lo (a snapshot has none)
-- expect: runs
select oid, typbasetype from pg_type where typname = 'lo'
