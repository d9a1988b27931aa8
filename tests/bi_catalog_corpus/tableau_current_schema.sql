-- tool: Tableau (closed source; its ODBC connection goes through psqlODBC, its JDBC one through pgjdbc (pgjdbc_*): CC_get_current_schema, for a catalog call without a schema)
-- source: postgresql-interfaces/psqlodbc connection.c
-- asks: the current schema
-- expect: marts
select current_schema()
