-- tool: Metabase, DBeaver, Tableau (through pgjdbc Connection.setTransactionIsolation(READ_UNCOMMITTED): Metabase before a sync)
-- source: pgjdbc/pgjdbc pgjdbc/src/main/java/org/postgresql/jdbc/PgConnection.java
-- asks: the isolation level for the session
-- expect: status
SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ UNCOMMITTED
