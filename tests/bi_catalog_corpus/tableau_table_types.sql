-- tool: Tableau (closed source; its ODBC connection goes through psqlODBC, its JDBC one through pgjdbc (pgjdbc_*): SQLTables with SQL_ALL_TABLE_TYPES: the table types)
-- source: postgresql-interfaces/psqlodbc info.c
-- asks: the kinds of relations
-- expect: r
-- expect: v
select NULL, NULL, relkind from (select 'r' as relkind union select 'v' union select 'm' union select 'f' union select 'p') as a
