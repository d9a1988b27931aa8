-- tool: Metabase, DBeaver, Tableau (through pgjdbc Connection.setReadOnly(true): Metabase's sync and query connections)
-- source: pgjdbc/pgjdbc pgjdbc/src/main/java/org/postgresql/jdbc/PgConnection.java
-- asks: read-only transactions for the session
-- expect: status
SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY
