-- tool: Metabase, DBeaver, Tableau (through pgjdbc Connection.setSchema(null))
-- source: pgjdbc/pgjdbc pgjdbc/src/main/java/org/postgresql/jdbc/PgConnection.java
-- asks: the default search path
-- expect: status
SET SESSION search_path TO DEFAULT
