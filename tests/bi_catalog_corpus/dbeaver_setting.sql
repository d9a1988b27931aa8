-- tool: DBeaver (PostgreSQL plugin, PostgreDataSource: one server setting (the session properties view))
-- source: dbeaver/dbeaver plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreDataSource.java
-- asks: the row of setting search_path
-- expect: marts, main
select * from pg_catalog.pg_settings where name='search_path'
