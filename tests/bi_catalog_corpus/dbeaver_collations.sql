-- tool: DBeaver (PostgreSQL plugin, PostgreDatabase: the collations)
-- source: dbeaver/dbeaver plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreDatabase.java
-- asks: every collation
-- expect: runs
SELECT c.oid,c.* FROM pg_catalog.pg_collation c 
ORDER BY c.oid
