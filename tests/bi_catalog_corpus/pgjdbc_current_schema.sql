-- tool: Metabase, DBeaver, Tableau (through pgjdbc Connection.getSchema)
-- source: pgjdbc/pgjdbc pgjdbc/src/main/java/org/postgresql/jdbc/PgConnection.java
-- asks: the current schema
-- expect: marts
select current_schema()
