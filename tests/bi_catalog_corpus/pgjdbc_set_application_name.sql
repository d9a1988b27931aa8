-- tool: Metabase, DBeaver, Tableau (through pgjdbc Connection.setClientInfo('ApplicationName'): Metabase names its connections)
-- source: pgjdbc/pgjdbc pgjdbc/src/main/java/org/postgresql/jdbc/PgConnection.java
-- asks: the session's application name
-- expect: status
SET application_name = 'Metabase'
