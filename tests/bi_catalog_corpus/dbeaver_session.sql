-- tool: DBeaver (PostgreSQL plugin, on connect: PostgreExecutionContext, the active schema and user)
-- source: dbeaver/dbeaver plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreExecutionContext.java
-- asks: the current schema and the session user (the snapshot's one role)
-- expect: marts
-- expect: graphlets
SELECT current_schema(),session_user
