-- tool: Metabase, DBeaver, Tableau (through pgjdbc Connection.getCatalog)
-- source: pgjdbc/pgjdbc pgjdbc/src/main/java/org/postgresql/jdbc/PgConnection.java
-- asks: the connected database
-- expect: graphlets
select current_catalog
