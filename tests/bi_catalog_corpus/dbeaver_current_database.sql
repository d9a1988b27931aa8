-- tool: DBeaver (PostgreSQL plugin, on connect: PostgreDataSource, the bootstrap connection's database)
-- source: dbeaver/dbeaver plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreDataSource.java
-- asks: the connected database
-- expect: graphlets
SELECT current_database()
