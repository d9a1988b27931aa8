-- tool: Metabase, DBeaver, Tableau (through pgjdbc Connection.getTransactionIsolation)
-- source: pgjdbc/pgjdbc pgjdbc/src/main/java/org/postgresql/jdbc/PgConnection.java
-- asks: the transaction isolation level
-- expect: read committed
SHOW TRANSACTION ISOLATION LEVEL
