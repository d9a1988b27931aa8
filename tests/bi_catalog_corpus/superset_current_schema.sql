-- tool: Superset (SQLAlchemy postgresql dialect, on connect: the default schema)
-- asks: the current schema
-- expect: rows
select current_schema()
