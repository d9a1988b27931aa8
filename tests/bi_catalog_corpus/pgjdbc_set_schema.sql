-- tool: Metabase, DBeaver, Tableau (through pgjdbc Connection.setSchema('marts'): DBeaver's active schema)
-- source: pgjdbc/pgjdbc pgjdbc/src/main/java/org/postgresql/jdbc/PgConnection.java
-- asks: unqualified names resolve in marts
-- expect: status
SET SESSION search_path TO 'marts'
