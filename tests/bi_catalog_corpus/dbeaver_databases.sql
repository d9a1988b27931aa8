-- tool: DBeaver (PostgreSQL plugin, on connect: PostgreDataSource, the databases of the navigator)
-- source: dbeaver/dbeaver plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreDataSource.java
-- asks: every database a user may connect to, and the connected one
-- expect: graphlets
SELECT db.oid,db.* FROM pg_catalog.pg_database db WHERE 1 = 1 AND datallowconn AND NOT datistemplate OR db.datname ='graphlets'
ORDER BY db.datname
