-- tool: DBeaver (PostgreSQL plugin, on connect: PostgreDataSource, the server version)
-- source: dbeaver/dbeaver plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreDataSource.java
-- asks: the server version string
-- expect: starts:PostgreSQL
SELECT version()
