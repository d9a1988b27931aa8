-- tool: DBeaver (PostgreSQL plugin, PostgreDatabase: the access methods, for index types)
-- source: dbeaver/dbeaver plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreDatabase.java
-- asks: every access method
-- expect: runs
SELECT am.oid,am.* FROM pg_catalog.pg_am am 
ORDER BY am.oid
