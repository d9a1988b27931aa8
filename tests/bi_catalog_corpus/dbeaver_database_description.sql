-- tool: DBeaver (PostgreSQL plugin, PostgreDatabase: the database's comment)
-- source: dbeaver/dbeaver plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreDatabase.java
-- asks: the comment on database graphlets (none)
-- expect: runs
select description from pg_shdescription join pg_database on objoid = pg_database.oid where datname = 'graphlets'
