-- tool: DBeaver (PostgreSQL plugin, PostgreDatabase: the connected database's row)
-- source: dbeaver/dbeaver plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreDatabase.java
-- asks: the row of database graphlets
-- expect: graphlets
SELECT db.oid,db.* FROM pg_catalog.pg_database db WHERE datname='graphlets'
