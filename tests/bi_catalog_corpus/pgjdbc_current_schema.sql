-- tool: Metabase, DBeaver (pgjdbc Connection.getSchema)
-- asks: the current schema
-- expect: marts
select current_schema()
