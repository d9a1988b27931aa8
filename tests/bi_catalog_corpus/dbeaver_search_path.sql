-- tool: DBeaver (PostgreSQL plugin, on connect: PostgreExecutionContext, the search path)
-- source: dbeaver/dbeaver plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreExecutionContext.java
-- asks: the search path
-- expect: marts, main
SHOW search_path
